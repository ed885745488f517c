package dev.retry.autoconfigure;

import java.time.Duration;

import dev.retry.CircuitBreakerOpenException;
import dev.retry.annotation.CircuitBreaker;
import dev.retry.annotation.Retryable;
import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.breaker.State;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The breaker {@code inventory} in front of a real HTTP server on a local port: it opens after
 * the threshold, half-opens after {@code open-duration} by the injected clock, and closes once the
 * server answers again.
 */
@SpringBootTest(properties = { "retry.circuit-breakers.inventory.failure-threshold=3",
		"retry.circuit-breakers.inventory.open-duration=20s", "retry.circuit-breakers.inventory.half-open-calls=2",
		"retry.policies.network.jitter=none" })
class CircuitBreakerHttpIntegrationTests {

	private static final ScriptedHttpServer server = ScriptedHttpServer.started();

	@Autowired
	private InventoryClient inventory;

	@Autowired
	private ManualClock clock;

	@Autowired
	private CircuitBreakerRegistry breakers;

	@DynamicPropertySource
	static void inventoryUrl(DynamicPropertyRegistry registry) {
		registry.add("inventory.url", server::url);
	}

	@AfterAll
	static void stop() {
		server.close();
	}

	@BeforeEach
	void closeBreaker() {
		this.breakers.find("inventory").reset();
		this.clock.clearSleeps();
	}

	@Test
	void opensAfterTheThresholdHalfOpensAfterOpenDurationAndClosesWhenTheServerRecovers() {
		dev.retry.breaker.CircuitBreaker breaker = this.breakers.find("inventory");
		server.script("/stock/a", 503);

		for (int i = 0; i < 3; i++) {
			assertThatExceptionOfType(HttpServerErrorException.ServiceUnavailable.class)
				.isThrownBy(() -> this.inventory.stock("a"));
		}
		assertThat(breaker.getState()).isEqualTo(State.OPEN);
		assertThatExceptionOfType(CircuitBreakerOpenException.class).isThrownBy(() -> this.inventory.stock("a"))
			.satisfies((ex) -> assertThat(ex.getUntilHalfOpen()).isEqualTo(Duration.ofSeconds(20)));
		assertThat(server.requests("/stock/a")).as("the open breaker kept the call off the server").isEqualTo(3);

		this.clock.advance(Duration.ofSeconds(20));
		server.script("/stock/a", 200);
		assertThat(this.inventory.stock("a")).isEqualTo("stock of /stock/a");
		assertThat(breaker.getState()).as("one of two trial calls succeeded").isEqualTo(State.HALF_OPEN);
		assertThat(this.inventory.stock("a")).isEqualTo("stock of /stock/a");

		assertThat(breaker.getState()).isEqualTo(State.CLOSED);
		assertThat(server.requests("/stock/a")).isEqualTo(2);
	}

	@Test
	void aFailedTrialOpensItAgain() {
		dev.retry.breaker.CircuitBreaker breaker = this.breakers.find("inventory");
		server.script("/stock/b", 502);
		for (int i = 0; i < 3; i++) {
			assertThatExceptionOfType(HttpServerErrorException.class).isThrownBy(() -> this.inventory.stock("b"));
		}

		this.clock.advance(Duration.ofSeconds(20));
		assertThatExceptionOfType(HttpServerErrorException.BadGateway.class).isThrownBy(() -> this.inventory.stock("b"));

		assertThat(breaker.getState()).isEqualTo(State.OPEN);
		assertThat(breaker.untilHalfOpen()).isEqualTo(Duration.ofSeconds(20));
		assertThat(server.requests("/stock/b")).isEqualTo(4);
	}

	@Test
	void clientErrorsDoNotOpenIt() {
		server.script("/stock/missing", 404);

		for (int i = 0; i < 10; i++) {
			assertThatExceptionOfType(HttpClientErrorException.NotFound.class)
				.isThrownBy(() -> this.inventory.stock("missing"));
		}

		assertThat(this.breakers.find("inventory").getState()).isEqualTo(State.CLOSED);
		assertThat(server.requests("/stock/missing")).isEqualTo(10);
	}

	@Test
	void withRetryEachAttemptPassesTheBreakerAndTheOpenBreakerStopsTheRetries() {
		server.script("/stock/c", 503);

		assertThatExceptionOfType(HttpServerErrorException.ServiceUnavailable.class)
			.isThrownBy(() -> this.inventory.retriedStock("c"));
		assertThatExceptionOfType(CircuitBreakerOpenException.class).isThrownBy(() -> this.inventory.retriedStock("c"));

		assertThat(server.requests("/stock/c")).isEqualTo(3);
		assertThat(this.clock.sleeps()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Application {

		@Bean
		ManualClock retryClock() {
			return new ManualClock();
		}

		@Bean
		InventoryClient inventoryClient(@Value("${inventory.url}") String url) {
			return new InventoryClient(ScriptedHttpServer.restClient(url));
		}

	}

	static class InventoryClient {

		private final RestClient client;

		InventoryClient(RestClient client) {
			this.client = client;
		}

		@CircuitBreaker("inventory")
		public String stock(String sku) {
			return this.client.get().uri("/stock/{sku}", sku).retrieve().body(String.class);
		}

		@Retryable(policy = "network")
		@CircuitBreaker("inventory")
		public String retriedStock(String sku) {
			return stock(sku);
		}

	}

}
