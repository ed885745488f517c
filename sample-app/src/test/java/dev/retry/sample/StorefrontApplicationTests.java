package dev.retry.sample;

import java.time.Duration;
import java.util.Map;

import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.sample.downstream.DownstreamServer;
import dev.retry.sample.downstream.Downstreams;
import dev.retry.sample.downstream.FailureMode;
import dev.retry.sample.files.Download;
import dev.retry.sample.inventory.Stock;
import dev.retry.sample.pricing.Price;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The storefront's scenarios, driven over HTTP as a visitor (or the live page) would: downstreams
 * switched through {@code /actuator/downstreams}, state read from the actuator endpoints. Retry
 * waits are recorded by a {@link ManualClock}, never slept.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "storefront.traffic.enabled=false")
@org.junit.jupiter.api.extension.ExtendWith(org.springframework.boot.test.system.OutputCaptureExtension.class)
class StorefrontApplicationTests {

	@LocalServerPort
	private int port;

	@Autowired
	private Downstreams downstreams;

	@Autowired
	private DownstreamServer downstreamServer;

	@Autowired
	private ManualClock clock;

	@Autowired
	private CircuitBreakerRegistry breakers;

	private RestClient client;

	@BeforeEach
	void healthyDownstreamsAndAClosedBreaker() {
		this.client = RestClient.create("http://localhost:" + this.port);
		for (String name : new String[] { "inventory", "pricing", "files", "catalog" }) {
			switchTo(name, FailureMode.HEALTHY, null);
		}
		this.breakers.find("inventory").reset();
		this.downstreamServer.resetBytesServed();
		this.clock.clearSleeps();
	}

	@Test
	void flakyInventoryIsRetriedAndTheShopAnswers() {
		switchTo("inventory", FailureMode.FLAKY, 66);

		Stock stock = this.client.get().uri("/api/products/{sku}/stock", "sku-1").retrieve().body(Stock.class);

		assertThat(stock.sku()).isEqualTo("sku-1");
		assertThat(this.downstreams.get("inventory").getRequests()).as("two 503s, then the answer").isEqualTo(3);
		assertThat(this.clock.sleeps()).hasSize(2);
		assertThat(this.clock.sleeps().get(0)).isBetween(Duration.ofMillis(500), Duration.ofMillis(650));
	}

	@Test
	void aRetriedCallIsTracedAndItsLogLinesCarryTheTraceId(CapturedOutput output) {
		switchTo("inventory", FailureMode.FLAKY, 66);

		this.client.get().uri("/api/products/{sku}/stock", "sku-traced").retrieve().body(Stock.class);

		String retryLine = output.getOut()
			.lines()
			.filter((line) -> line.contains("Retry 2/3 for InventoryClient.stock"))
			.reduce((first, second) -> second)
			.orElseThrow(() -> new AssertionError("no retry line"));
		assertThat(retryLine).containsPattern("\\[[0-9a-f]{32}-[0-9a-f]{16}\\]");
		// The call and its attempts are spans, not timers: retry_calls_total counts them once.
		String prometheus = this.client.get().uri("/actuator/prometheus").retrieve().body(String.class);
		assertThat(prometheus).containsPattern(
				"retry_calls_total\\{[^}]*method=\"InventoryClient.stock\"[^}]*outcome=\"success_after_retry\"")
			.doesNotContain("retry_call_seconds")
			.doesNotContain("retry_attempt_seconds");
	}

	@Test
	void deadInventoryOpensTheBreakerTheFallbackAnswersAndRecoveryClosesIt() {
		Stock fresh = stock("sku-3");
		switchTo("inventory", FailureMode.DOWN, null);

		ResponseEntity<String> failed = this.client.get()
			.uri("/api/products/{sku}/stock", "sku-3")
			.retrieve()
			.onStatus(HttpStatusCode::isError, (request, reply) -> {
			})
			.toEntity(String.class);
		Stock stale = stock("sku-3");

		assertThat(failed.getStatusCode().value()).as("three attempts failed, breaker still closed").isEqualTo(503);
		assertThat(breaker("inventory")).containsEntry("state", "open");
		assertThat(stale).as("the fallback: last known stock").isEqualTo(new Stock("sku-3", fresh.available(), true));
		assertThat(this.downstreams.get("inventory").getRequests())
			.as("5 failed attempts opened it; nothing reached the service since").isEqualTo(5);

		this.clock.advance(Duration.ofSeconds(15));
		switchTo("inventory", FailureMode.HEALTHY, null);
		assertThat(stock("sku-3").stale()).isFalse();
		assertThat(breaker("inventory")).as("one of two trial calls").containsEntry("state", "half_open");
		stock("sku-3");

		assertThat(breaker("inventory")).containsEntry("state", "closed");
	}

	@Test
	void slowInventoryTimesOutAndEachTimeoutIsRetried() {
		switchTo("inventory", FailureMode.SLOW, null);

		ResponseEntity<String> failed = this.client.get()
			.uri("/api/products/{sku}/stock", "sku-7")
			.retrieve()
			.onStatus(HttpStatusCode::isError, (request, reply) -> {
			})
			.toEntity(String.class);

		assertThat(failed.getStatusCode().value()).isEqualTo(503);
		assertThat(failed.getBody()).as("the client gave up waiting, three times").contains("Read timed out");
		assertThat(this.downstreams.get("inventory").getRequests()).isEqualTo(3);
	}

	@Test
	void downloadResumesAfterTwoCutConnectionsFetchingEachByteOnce() {
		switchTo("files", FailureMode.FLAKY, 66);

		Download download = this.client.get().uri("/api/files/{name}", "catalog.pdf").retrieve().body(Download.class);

		assertThat(this.downstreams.get("files").getRequests()).as("two cut off, the third completes").isEqualTo(3);
		assertThat(download.attempts()).isEqualTo(3);
		assertThat(download.size()).isEqualTo(DownstreamServer.FILE_SIZE);
		assertThat(download.sha256()).as("the bytes are the file's, in order").isEqualTo(expectedDigest());
		assertThat(this.downstreamServer.bytesServed()).as("bytes sent by the file server, over all three requests")
			.isEqualTo(DownstreamServer.FILE_SIZE);
	}

	@Test
	void rateLimitedPricingWaitsWhatRetryAfterAsks() {
		switchTo("pricing", FailureMode.RATE_LIMITED, null);

		Price price = this.client.get().uri("/api/products/{sku}/price", "sku-5").retrieve().body(Price.class);

		assertThat(price.currency()).isEqualTo("EUR");
		assertThat(this.downstreams.get("pricing").getRequests()).isEqualTo(2);
		assertThat(this.clock.sleeps()).as("Retry-After: 2, longer than the policy's 200ms")
			.containsExactly(Duration.ofSeconds(DownstreamServer.RETRY_AFTER_SECONDS));
	}

	@Test
	void catalogQueryIsRetriedUnderTheFastPreset() {
		switchTo("catalog", FailureMode.FLAKY, 50);

		Map<String, Object> product = this.client.get().uri("/api/products/{sku}", "sku-6").retrieve()
			.body(new ParameterizedTypeReference<>() {
			});

		assertThat(product).containsEntry("name", "Product SKU-6");
		assertThat(this.clock.sleeps()).singleElement()
			.satisfies((delay) -> assertThat(delay).as("500ms plus up to 30% jitter")
				.isBetween(Duration.ofMillis(500), Duration.ofMillis(650)));
	}

	@Test
	void prometheusShowsRetriesAndBreakerStateWithTheirTags() {
		switchTo("inventory", FailureMode.FLAKY, 66);
		stock("sku-4");

		String prometheus = this.client.get().uri("/actuator/prometheus").retrieve().body(String.class);

		assertThat(prometheus).containsPattern(
				"retry_calls_total\\{[^}]*method=\"InventoryClient.stock\"[^}]*outcome=\"success_after_retry\"[^}]*policy=\"network\"[^}]*} [1-9]")
			.containsPattern("retry_attempts_total\\{[^}]*method=\"InventoryClient.stock\"[^}]*result=\"failure\"[^}]*} [1-9]")
			.contains("circuitbreaker_state{name=\"inventory\",state=\"closed\"} 1")
			.contains("circuitbreaker_state{name=\"inventory\",state=\"open\"} 0");
	}

	@Test
	void livePageIsServedAtTheRoot() {
		String page = this.client.get().uri("/").retrieve().body(String.class);

		assertThat(page).contains("<title>Storefront: retries and circuit breakers, live</title>", "actuator/circuitbreakers");
	}

	@Test
	void everyMetricTheGrafanaDashboardQueriesIsPublished() throws java.io.IOException {
		stock("sku-6");
		switchTo("inventory", FailureMode.FLAKY, 66);
		stock("sku-6");
		switchTo("inventory", FailureMode.DOWN, null);
		for (int call = 0; call < 2; call++) {
			this.client.get().uri("/api/products/{sku}/stock", "sku-6").retrieve()
				.onStatus(HttpStatusCode::isError, (request, reply) -> {
				})
				.toEntity(String.class);
		}
		assertThat(breaker("inventory")).as("a transition happened").containsEntry("state", "open");

		String prometheus = this.client.get().uri("/actuator/prometheus").retrieve().body(String.class);
		String dashboard = java.nio.file.Files.readString(java.nio.file.Path.of("..", "docs", "grafana-dashboard.json"));
		java.util.Set<String> queried = new java.util.TreeSet<>();
		java.util.regex.Matcher metric = java.util.regex.Pattern.compile("\\b((?:retry|circuitbreaker)_[a-z_]+)\\b")
			.matcher(dashboard);
		while (metric.find()) {
			queried.add(metric.group(1));
		}

		assertThat(queried).contains("retry_calls_total", "retry_attempts_total", "circuitbreaker_state",
				"circuitbreaker_transitions_total", "circuitbreaker_calls_total", "retry_fleet_link");
		// The fleet's meters exist only with the fleet on: FleetIT checks them on a fleet instance.
		queried.removeIf((name) -> name.startsWith("retry_fleet_"));
		assertThat(queried).allSatisfy((name) -> assertThat(prometheus).as("published: %s", name)
			.containsPattern("(?m)^" + name + "\\{"));
	}

	private Stock stock(String sku) {
		return this.client.get().uri("/api/products/{sku}/stock", sku).retrieve().body(Stock.class);
	}

	private Map<String, Object> breaker(String name) {
		return this.client.get().uri("/actuator/circuitbreakers/{name}", name).retrieve()
			.body(new ParameterizedTypeReference<>() {
			});
	}

	private void switchTo(String downstream, FailureMode mode, Integer percent) {
		this.client.post()
			.uri("/actuator/downstreams/{name}", downstream)
			.contentType(MediaType.APPLICATION_JSON)
			.body((percent != null) ? Map.of("mode", mode, "percent", percent) : Map.of("mode", mode))
			.retrieve()
			.toBodilessEntity();
	}

	private static String expectedDigest() {
		byte[] file = new byte[DownstreamServer.FILE_SIZE];
		for (int i = 0; i < file.length; i++) {
			file[i] = DownstreamServer.byteAt(i);
		}
		try {
			return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(file));
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@TestConfiguration
	static class NoRealWaiting {

		@Bean
		ManualClock retryClock() {
			return new ManualClock();
		}

	}

}
