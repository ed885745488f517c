package dev.retry.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged sample, processed by Spring AOT at build time, started in its own JVM with
 * {@code -Dspring.aot.enabled=true}: it starts from the generated initializers, its endpoints
 * answer, and a flaky downstream is retried, as on the JVM without AOT. The simulated shoppers run
 * (as after any {@code java -jar}), so every check waits for its evidence instead of counting on
 * being the only caller. (A GraalVM native build is not made here: there is no native-image on
 * this machine.)
 */
class AotModeIT {

	private static final Pattern RETRIED = Pattern.compile(
			"retry_calls_total\\{method=\"InventoryClient.stock\",outcome=\"success_after_retry\",policy=\"network\"\\} [1-9]");

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private LaunchedSample sample;

	@AfterEach
	void stop() {
		if (this.sample != null) {
			this.sample.stop();
		}
	}

	@Test
	void theSampleRunsInAotModeAndRetriesAFlakyDownstream() throws Exception {
		this.sample = LaunchedSample.start(List.of("-Dspring.aot.enabled=true"), List.of(),
				Files.createTempFile("sample-aot", ".log"));
		LaunchedSample sample = this.sample.awaitHealthy(this.http);
		String base = sample.base();
		assertThat(sample.log()).contains("Starting AOT-processed StorefrontApplication");

		HttpResponse<String> switched = this.http.send(HttpRequest.newBuilder(URI.create(base + "/actuator/downstreams/inventory"))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"mode\": \"FLAKY\", \"percent\": 50}"))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(switched.statusCode()).isEqualTo(200);

		// Every other request fails: whoever else calls, one of these calls answers after a retry.
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
			HttpResponse<String> stock = this.http.send(
					HttpRequest.newBuilder(URI.create(base + "/api/products/sku-1/stock")).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(stock.statusCode()).isEqualTo(200);
			assertThat(stock.body()).contains("sku-1");
			assertThat(sample.log()).containsPattern("Retry 2/3 for InventoryClient.stock in [0-9.]+s after");
			String prometheus = this.http.send(HttpRequest.newBuilder(URI.create(base + "/actuator/prometheus")).build(),
					HttpResponse.BodyHandlers.ofString()).body();
			assertThat(prometheus).containsPattern(RETRIED);
		});
	}

}
