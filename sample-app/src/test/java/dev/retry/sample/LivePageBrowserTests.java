package dev.retry.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.FluentWait;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The live page in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver},
 * which {@code .ci/run} installs), against the whole application with its simulated shoppers on.
 * Retry waits and the breaker's open time run on a {@link ManualClock}: the test moves it instead
 * of waiting. A screenshot is saved to {@code target/live-page.png}.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "storefront.traffic.enabled=true")
class LivePageBrowserTests {



	private static WebDriver browser;

	@LocalServerPort
	private int port;

	@Autowired
	private ManualClock clock;

	@Autowired
	private CircuitBreakerRegistry breakers;

	@BeforeAll
	static void startBrowser(@TempDir Path profile) {
		if (HeadlessChromium.required()) {
			assertThat(HeadlessChromium.installed()).as(HeadlessChromium.HINT).isTrue();
		}
		assumeTrue(HeadlessChromium.installed(), HeadlessChromium.HINT);
		browser = HeadlessChromium.start(profile);
	}

	@AfterAll
	static void stopBrowser() {
		if (browser != null) {
			browser.quit();
		}
	}

	@Test
	void pageShowsTheBreakerOpenAfterTheDownButtonAndClosedAfterHealthy() throws IOException {
		this.breakers.find("inventory").reset();
		browser.get("http://localhost:" + this.port + "/");
		// The page redraws every second: an element found may be replaced before it is used.
		FluentWait<WebDriver> wait = new WebDriverWait(browser, Duration.ofSeconds(20))
			.ignoring(StaleElementReferenceException.class);

		wait.until((page) -> "CLOSED".equals(text("#breaker-inventory .state")));
		click(wait, "inventory", "DOWN");

		wait.until((page) -> "OPEN".equals(text("#breaker-inventory .state")));
		wait.until((page) -> Integer.parseInt(chart().getDomAttribute("data-samples")) >= 3);
		wait.until((page) -> "DOWN".equals(text("#downstream-inventory .mode")));
		assertThat(text("#breaker-inventory")).contains("half-open in");
		// Without the fleet profile, every breaker is this instance's own.
		assertThat(text("#breaker-inventory .fleet")).isEqualTo("this instance only");
		// The recent events panel reads /actuator/retryevents: the breaker opening and the retries before it.
		wait.until((page) -> !page.findElements(By.cssSelector("#events tr.event-breaker_closed_to_open")).isEmpty());
		assertThat(text("#events tr.event-breaker_closed_to_open .subject")).isEqualTo("inventory");
		assertThat(text("#events")).contains("retry_scheduled", "InventoryClient.stock");
		assertThat(Integer.parseInt(text("[id='method-InventoryClient.stock'] .retries")))
			.as("retries of the inventory calls").isPositive();
		assertThat(chartHasDrawnLines()).as("the attempts chart has lines on it").isTrue();
		Path screenshot = Path.of("target", "live-page.png");
		Files.copy(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(), screenshot,
				StandardCopyOption.REPLACE_EXISTING);
		assertThat(screenshot).isNotEmptyFile();

		click(wait, "inventory", "HEALTHY");
		this.clock.advance(Duration.ofSeconds(15));
		wait.until((page) -> "CLOSED".equals(text("#breaker-inventory .state")));
	}

	@Test
	void pageChangesAPolicyLiveAndShowsWhereItsValuesComeFrom() {
		browser.get("http://localhost:" + this.port + "/");
		FluentWait<WebDriver> wait = new WebDriverWait(browser, Duration.ofSeconds(20))
			.ignoring(StaleElementReferenceException.class);
		wait.until((page) -> "3".equals(text("#policy-network .max-attempts")));
		assertThat(text("#policy-network .source")).doesNotContain("runtime override");

		new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("tune-policy"))).selectByValue("network");
		browser.findElement(By.id("tune-max-attempts")).sendKeys("5");
		browser.findElement(By.id("tune-base-delay")).sendKeys("200ms");
		browser.findElement(By.id("tune-apply")).click();

		wait.until((page) -> "5".equals(text("#policy-network .max-attempts")));
		assertThat(text("#policy-network .base-delay")).isEqualTo("200ms");
		assertThat(text("#policy-network .source")).isEqualTo("runtime override");
		assertThat(text("#tune-result")).isEqualTo("applied to network");

		browser.findElement(By.id("tune-reset")).click();
		wait.until((page) -> "3".equals(text("#policy-network .max-attempts")));
		assertThat(text("#policy-network .source")).doesNotContain("runtime override");
	}

	/** The text shown by the element, read in one go, or {@code null} when it is not there (yet). */
	private static String text(String css) {
		return (String) ((JavascriptExecutor) browser)
			.executeScript("const e = document.querySelector(arguments[0]); return e ? e.innerText : null;", css);
	}

	private static void click(FluentWait<WebDriver> wait, String downstream, String mode) {
		wait.until((page) -> {
			page.findElement(By.cssSelector("button[data-downstream='" + downstream + "'][data-mode='" + mode + "']"))
				.click();
			return true;
		});
	}

	private static org.openqa.selenium.WebElement chart() {
		return browser.findElement(By.id("attempts-chart"));
	}

	/** Whether any pixel of the chart's plot area carries a line colour (not white or grid grey). */
	private static boolean chartHasDrawnLines() {
		Object coloured = ((JavascriptExecutor) browser).executeScript("""
				const c = document.getElementById('attempts-chart');
				const d = c.getContext('2d').getImageData(41, 0, c.width - 41, c.height - 21).data;
				for (let i = 0; i < d.length; i += 4) {
				  if (d[i + 3] > 0 && Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 60) return true;
				}
				return false;""");
		return Boolean.TRUE.equals(coloured);
	}

	@TestConfiguration
	static class NoRealWaiting {

		@Bean
		ManualClock retryClock() {
			return new ManualClock();
		}

	}

}
