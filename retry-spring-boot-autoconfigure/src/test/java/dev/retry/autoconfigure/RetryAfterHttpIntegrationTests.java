package dev.retry.autoconfigure;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

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
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A rate-limited API on a real local HTTP server answers 429 or 503 with {@code Retry-After}; the
 * retry waits what it asks (read back from the injected clock), capped at {@code max-delay}.
 */
@SpringBootTest(properties = { "retry.policies.pricing.base-delay=1s", "retry.policies.pricing.max-delay=10s",
		"retry.policies.pricing.jitter=none", "retry.policies.pricing.max-attempts=3",
		"retry.policies.ignoring.respect-retry-after=false", "retry.policies.ignoring.jitter=none",
		"retry.policies.deadline.max-duration=30s", "retry.policies.deadline.max-delay=5m" })
class RetryAfterHttpIntegrationTests {

	private static final ScriptedHttpServer server = ScriptedHttpServer.started();

	@Autowired
	private PricingClient pricing;

	@Autowired
	private ManualClock clock;

	@DynamicPropertySource
	static void pricingUrl(DynamicPropertyRegistry registry) {
		registry.add("pricing.url", server::url);
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
	void waitsTheDelaySecondsOfA429() {
		server.script("/price/a", 429, 200);
		server.header("/price/a", "Retry-After", "2");

		assertThat(this.pricing.price("a")).isEqualTo("stock of /price/a");
		assertThat(this.clock.sleeps()).containsExactly(Duration.ofSeconds(2));
	}

	@Test
	void waitsUntilTheHttpDateOfA503() {
		server.script("/price/b", 503, 200);
		String inTwoSeconds = DateTimeFormatter.RFC_1123_DATE_TIME
			.format(this.clock.wallTime().plusSeconds(2).atOffset(ZoneOffset.UTC));
		server.header("/price/b", "Retry-After", inTwoSeconds);

		assertThat(this.pricing.price("b")).isEqualTo("stock of /price/b");
		assertThat(this.clock.sleeps()).containsExactly(Duration.ofSeconds(2));
	}

	@Test
	void aLongerWaitIsCappedAtMaxDelay() {
		server.script("/price/c", 429, 200);
		server.header("/price/c", "Retry-After", "120");

		assertThat(this.pricing.price("c")).isEqualTo("stock of /price/c");
		assertThat(this.clock.sleeps()).containsExactly(Duration.ofSeconds(10));
	}

	@Test
	void withoutTheHeaderTheBackoffApplies() {
		server.script("/price/d", 429, 429, 200);

		assertThat(this.pricing.price("d")).isEqualTo("stock of /price/d");
		assertThat(this.clock.sleeps()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
	}

	@Test
	void aShorterWaitThanTheBackoffKeepsTheBackoff() {
		server.script("/price/e", 503, 503, 200);
		server.header("/price/e", "Retry-After", "1");

		assertThat(this.pricing.price("e")).isEqualTo("stock of /price/e");
		assertThat(this.clock.sleeps()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
	}

	@Test
	void respectRetryAfterFalseIgnoresTheHeader() {
		server.script("/price/f", 429, 200);
		server.header("/price/f", "Retry-After", "7");

		assertThat(this.pricing.ignoringRetryAfter("f")).isEqualTo("stock of /price/f");
		assertThat(this.clock.sleeps()).containsExactly(Duration.ofSeconds(1));
	}

	@Test
	void aWaitPastMaxDurationEndsTheCallAtOnce() {
		server.script("/price/g", 429);
		server.header("/price/g", "Retry-After", "60");

		assertThatExceptionOfType(HttpClientErrorException.TooManyRequests.class)
			.isThrownBy(() -> this.pricing.withDeadline("g"));
		assertThat(this.clock.sleeps()).isEmpty();
		assertThat(server.requests("/price/g")).isEqualTo(1);
	}

	@Test
	void webClientResponsesAreReadToo() {
		server.script("/price/h", 429, 200);
		server.header("/price/h", "Retry-After", "3");

		assertThat(this.pricing.priceWithWebClient("h")).isEqualTo("stock of /price/h");
		assertThat(this.clock.sleeps()).containsExactly(Duration.ofSeconds(3));
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Application {

		@Bean
		ManualClock retryClock() {
			return new ManualClock();
		}

		@Bean
		PricingClient pricingClient(@Value("${pricing.url}") String url) {
			return new PricingClient(ScriptedHttpServer.restClient(url),
					WebClient.builder().baseUrl(url).clientConnector(new JdkClientHttpConnector()).build());
		}

	}

	static class PricingClient {

		private final RestClient client;

		private final WebClient webClient;

		PricingClient(RestClient client, WebClient webClient) {
			this.client = client;
			this.webClient = webClient;
		}

		@Retryable("pricing")
		public String price(String sku) {
			return get(sku);
		}

		@Retryable("ignoring")
		public String ignoringRetryAfter(String sku) {
			return get(sku);
		}

		@Retryable("deadline")
		public String withDeadline(String sku) {
			return get(sku);
		}

		@Retryable("pricing")
		public String priceWithWebClient(String sku) {
			return this.webClient.get().uri("/price/{sku}", sku).retrieve().bodyToMono(String.class).block();
		}

		private String get(String sku) {
			return this.client.get().uri("/price/{sku}", sku).retrieve().body(String.class);
		}

	}

}
