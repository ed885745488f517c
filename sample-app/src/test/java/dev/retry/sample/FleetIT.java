package dev.retry.sample;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two storefronts, each its own JVM running the packaged sample with the {@code fleet} profile,
 * against one real redis-server: the inventory breaker that opens on one opens on the other,
 * whose own inventory is healthy, naming the instance that opened it.
 */
class FleetIT {

	private static final String HINT = "redis-server is not installed: apt-get install redis-server to run the fleet tests";

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private final List<Process> processes = new ArrayList<>();

	@AfterEach
	void stop() {
		this.processes.forEach(Process::destroy);
	}

	@Test
	void twoInstancesShareTheInventoryBreakerThroughOneRedis() throws Exception {
		Path redisServer = Path.of("/usr/bin/redis-server");
		if (!Files.isExecutable(redisServer)) {
			if ("true".equals(System.getenv("RETRY_REDIS_TESTS_REQUIRED"))) {
				throw new AssertionError(HINT);
			}
			Assumptions.abort(HINT);
		}
		int redisPort = LaunchedSample.freePort();
		Process redis = startRedis(redisServer, redisPort);

		LaunchedSample startingA = storefront(redisPort, Files.createTempFile("storefront-a", ".log"));
		LaunchedSample startingB = storefront(redisPort, Files.createTempFile("storefront-b", ".log"));
		String a = startingA.awaitHealthy(this.http).base();
		LaunchedSample storefrontB = startingB.awaitHealthy(this.http);
		String b = storefrontB.base();
		await().atMost(Duration.ofSeconds(5))
			.until(() -> ((List<?>) fleetOf(breaker(a)).get("members")).size() == 2);
		String instanceA = (String) fleetOf(breaker(a)).get("instance");

		post(a + "/actuator/downstreams/inventory", "{\"mode\": \"DOWN\"}");
		// Each call makes 3 attempts; 5 failures in a row open the breaker: two calls do it.
		for (int i = 0; i < 2; i++) {
			get(a + "/api/products/sku-1/stock");
		}
		assertThat(breaker(a).get("state")).isEqualTo("open");

		await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(50))
			.until(() -> "open".equals(breaker(b).get("state")));
		assertThat(breaker(b).get("openedBy")).isEqualTo(instanceA);
		if (HeadlessChromium.installed() || HeadlessChromium.required()) {
			// B's live page shows the fleet: its link, the instances seen, and who opened the breaker.
			WebDriver browser = HeadlessChromium.start(Files.createTempDirectory("chromium"));
			try {
				browser.get(b + "/");
				// The page redraws its panels as it polls: each read is of the element found just before, and a
				// read of one the page has just replaced is made again.
				WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(10));
				wait.ignoring(StaleElementReferenceException.class)
					.until((page) -> page.findElement(By.cssSelector("#breaker-inventory .fleet"))
						.getText()
						.contains("opened by " + instanceA));
				String fleet = wait.ignoring(StaleElementReferenceException.class)
					.until((page) -> page.findElement(By.cssSelector("#breaker-inventory .fleet")).getText());
				String state = wait.ignoring(StaleElementReferenceException.class)
					.until((page) -> page.findElement(By.cssSelector("#breaker-inventory .state")).getText());
				assertThat(fleet).contains("fleet storefront (link up)", instanceA);
				assertThat(state).isEqualTo("OPEN");
			}
			finally {
				browser.quit();
			}
		}
		assertThat(storefrontB.log()).contains("Circuit breaker 'inventory' closed -> open: opened by " + instanceA);

		// The dashboard's fleet panel queries meters that exist only with the fleet on: here they must.
		String prometheus = get(b + "/actuator/prometheus");
		Matcher metric = Pattern.compile("\\b(retry_fleet_[a-z_]+)\\b")
			.matcher(Files.readString(Path.of("..", "docs", "grafana-dashboard.json")));
		List<String> queried = new ArrayList<>();
		while (metric.find()) {
			queried.add(metric.group(1));
		}
		assertThat(queried).contains("retry_fleet_link");
		assertThat(queried).allSatisfy((name) -> assertThat(prometheus).containsPattern("(?m)^" + name + "\\{"));
		assertThat(prometheus).contains("retry_fleet_link{fleet=\"storefront\"} 1.0");

		// Redis gone: the health stays UP (no Redis health check), the link shown down; back within a second.
		redis.destroyForcibly().waitFor();
		await().atMost(Duration.ofSeconds(3)).until(() -> "down".equals(fleetOf(breaker(b)).get("link")));
		assertThat(LaunchedSample.status(this.http, b + "/actuator/health")).isEqualTo(200);
		Map<?, ?> health = JsonMapper.builder().build().readValue(get(b + "/actuator/health"), Map.class);
		assertThat(health.get("status")).isEqualTo("UP");
		assertThat(health.get("components")).asInstanceOf(InstanceOfAssertFactories.MAP).doesNotContainKey("redis");
		startRedis(redisServer, redisPort);
		await().atMost(Duration.ofMillis(1500)).pollInterval(Duration.ofMillis(50))
			.until(() -> "up".equals(fleetOf(breaker(b)).get("link")));
	}

	private Process startRedis(Path redisServer, int port) throws IOException {
		start(List.of(redisServer.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "",
				"--appendonly", "no"), Files.createTempFile("redis", ".log"));
		await().atMost(Duration.ofSeconds(10)).until(() -> pong(port));
		return this.processes.get(this.processes.size() - 1);
	}

	private LaunchedSample storefront(int redisPort, Path log) throws IOException {
		LaunchedSample storefront = LaunchedSample.start(List.of(), List.of("--spring.profiles.active=fleet",
				"--spring.data.redis.port=" + redisPort, "--storefront.traffic.enabled=false"), log);
		this.processes.add(storefront.process());
		return storefront;
	}

	private void start(List<String> command, Path log) throws IOException {
		this.processes.add(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start());
	}

	private Map<?, ?> breaker(String base) throws Exception {
		return JsonMapper.builder().build().readValue(get(base + "/actuator/circuitbreakers/inventory"), Map.class);
	}

	private static Map<?, ?> fleetOf(Map<?, ?> breaker) {
		return (Map<?, ?>) breaker.get("fleet");
	}

	private String get(String url) throws Exception {
		return this.http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
	}

	private void post(String url, String json) throws Exception {
		HttpResponse<String> response = this.http.send(HttpRequest.newBuilder(URI.create(url))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
	}

	private static boolean pong(int port) {
		try (Socket socket = new Socket("127.0.0.1", port)) {
			OutputStream out = socket.getOutputStream();
			out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
			InputStream in = socket.getInputStream();
			byte[] reply = new byte[5];
			return in.read(reply) > 0 && new String(reply, StandardCharsets.US_ASCII).startsWith("+PONG");
		}
		catch (IOException ex) {
			return false;
		}
	}

}
