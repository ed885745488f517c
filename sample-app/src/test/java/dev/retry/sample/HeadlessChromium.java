package dev.retry.sample;

import java.nio.file.Files;
import java.nio.file.Path;

import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium driven by ChromeDriver, for the tests that look at the live page.
 * Where {@code STOREFRONT_BROWSER_TESTS_REQUIRED=true} (CI), the browser must be there.
 */
final class HeadlessChromium {

	static final String HINT = "Debian's chromium and chromium-driver are needed: apt-get install chromium chromium-driver "
			+ "(.ci/run does it)";

	private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

	private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

	private HeadlessChromium() {
	}

	static boolean installed() {
		return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
	}

	static boolean required() {
		return Boolean.parseBoolean(System.getenv("STOREFRONT_BROWSER_TESTS_REQUIRED"));
	}

	/** A new browser with its profile in {@code profile}; the caller quits it. */
	static WebDriver start(Path profile) {
		ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile());
		// Flags for a machine without a display or outside network.
		options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
				"--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
				"--disable-sync", "--window-size=1400,1100", "--user-data-dir=" + profile);
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
			.usingAnyFreePort()
			.build();
		return new ChromeDriver(service, options);
	}

}
