package dev.retry.autoconfigure;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;

import dev.retry.annotation.Retryable;
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
import org.springframework.stereotype.Service;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A Spring Boot application calling a real HTTP server on a local port through {@link RestClient},
 * with {@code @Retryable(policy = "network")}: what a user's service does.
 */
@SpringBootTest(properties = "retry.policies.network.jitter=none")
class HttpRetryIntegrationTests {

	private static final ScriptedHttpServer server = ScriptedHttpServer.started();

	@Autowired
	private InventoryClient inventory;

	@Autowired
	private ManualClock clock;

	@DynamicPropertySource
	static void inventoryUrl(DynamicPropertyRegistry registry) throws IOException {
		registry.add("inventory.url", server::url);
		int closedPort = ScriptedHttpServer.closedPort();
		registry.add("inventory.closed-port", () -> closedPort);
	}

	@AfterAll
	static void stop() {
		server.close();
	}

	@BeforeEach
	void clearSleeps() {
		this.clock.clearSleeps();
	}

	@Test
	void serviceUnavailableTwiceThenAnsweredReturnsTheAnswerAfterThreeAttempts() {
		server.script("/stock/a1", 503, 503, 200);

		assertThat(this.inventory.stock("a1")).isEqualTo("stock of /stock/a1");
		assertThat(server.requests("/stock/a1")).isEqualTo(3);
		assertThat(this.clock.sleeps()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
	}

	@Test
	void badRequestIsNotRetried() {
		server.script("/stock/bad", 400);

		assertThatExceptionOfType(HttpClientErrorException.BadRequest.class)
			.isThrownBy(() -> this.inventory.stock("bad"));
		assertThat(server.requests("/stock/bad")).isEqualTo(1);
		assertThat(this.clock.sleeps()).isEmpty();
	}

	@Test
	void tooManyRequestsIsRetried() {
		server.script("/stock/busy", 429, 200);

		assertThat(this.inventory.stock("busy")).isEqualTo("stock of /stock/busy");
		assertThat(server.requests("/stock/busy")).isEqualTo(2);
	}

	@Test
	void persistentServerErrorIsRethrownUnchangedAfterThreeAttempts() {
		server.script("/stock/down", 502);

		assertThatExceptionOfType(org.springframework.web.client.HttpServerErrorException.BadGateway.class)
			.isThrownBy(() -> this.inventory.stock("down"));
		assertThat(server.requests("/stock/down")).isEqualTo(3);
	}

	@Test
	void refusedConnectionIsRetried() {
		assertThatExceptionOfType(ResourceAccessException.class).isThrownBy(this.inventory::fromClosedPort)
			.withCauseInstanceOf(ConnectException.class);
		assertThat(this.inventory.closedPortAttempts()).isEqualTo(3);
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
		InventoryClient inventoryClient(@Value("${inventory.url}") String url,
				@Value("${inventory.closed-port}") int closedPort) {
			return new InventoryClient(ScriptedHttpServer.restClient(url), ScriptedHttpServer.restClient("http://127.0.0.1:" + closedPort));
		}

	}

	@Service
	static class InventoryClient {

		private final RestClient client;

		private final RestClient closed;

		volatile int closedPortAttempts;

		InventoryClient(RestClient client, RestClient closed) {
			this.client = client;
			this.closed = closed;
		}

		@Retryable(policy = "network")
		public String stock(String sku) {
			return this.client.get().uri("/stock/{sku}", sku).retrieve().body(String.class);
		}

		public int closedPortAttempts() {
			return this.closedPortAttempts;
		}

		@Retryable(policy = "network")
		public String fromClosedPort() {
			this.closedPortAttempts++;
			return this.closed.get().uri("/stock/x").retrieve().body(String.class);
		}

	}

}
