package dev.retry.autoconfigure;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.AttemptTimeoutException;
import dev.retry.annotation.CircuitBreaker;
import dev.retry.annotation.Retryable;
import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.autoconfigure.config.MethodRegistry;
import dev.retry.autoconfigure.metrics.RetryMetricsAutoConfiguration;
import dev.retry.autoconfigure.web.FaultyHttpServer;
import dev.retry.time.ManualClock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * Attempt timeouts and hedges against a real HTTP server on a random port: a server that accepts
 * and never answers, and one whose first answer never comes.
 */
class TimeoutAndHedgeHttpTests {

	private static final FaultyHttpServer server = FaultyHttpServer.started();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class, RetryMetricsAutoConfiguration.class))
		.withBean(SimpleMeterRegistry.class)
		.withBean(ManualClock.class)
		.withBean(Downstream.class)
		.withPropertyValues("retry.policies.bounded.attempt-timeout=200ms", "retry.policies.bounded.jitter=none",
				"retry.policies.hedged.hedge-delay=100ms", "retry.policies.hedged.budget.ratio=0.5",
				"retry.circuit-breakers.stock.failure-threshold=5");

	@AfterAll
	static void stop() throws IOException {
		server.close();
	}

	@Test
	void aServerThatNeverAnswersIsTimedOutThreeTimesInAboutSixHundredMilliseconds() {
		this.runner.run((context) -> {
			Downstream downstream = context.getBean(Downstream.class);
			long start = System.nanoTime();

			Throwable thrown = catchThrowable(() -> downstream.stock(server.url("/silent/stock")));

			Duration took = Duration.ofNanos(System.nanoTime() - start);
			assertThat(thrown).isInstanceOf(AttemptTimeoutException.class)
				.hasCauseInstanceOf(ResourceAccessException.class);
			assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(600)).isLessThan(Duration.ofSeconds(2));
			assertThat(server.requests("/silent/stock")).isEqualTo(3);
			assertThat(context.getBean(ManualClock.class).sleeps()).containsExactly(Duration.ofSeconds(1),
					Duration.ofSeconds(2));
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			assertThat(meters.get("retry.attempts").tag("method", "Downstream.stock").tag("result", "timeout").counter()
				.count()).isEqualTo(3);
			assertThat(meters.get("retry.calls").tag("method", "Downstream.stock").tag("outcome", "exhausted").counter()
				.count()).isEqualTo(1);
			assertThat(Thread.currentThread().isInterrupted()).isFalse();
		});
	}

	@Test
	void aSlowFirstResponseIsHedgedTheFastOneWinsAndTheSlowRequestIsCancelled() {
		this.runner.run((context) -> {
			Downstream downstream = context.getBean(Downstream.class);

			HttpResponse<String> response = downstream.price(server.url("/first-silent/price")).get(2, TimeUnit.SECONDS);

			assertThat(response.body()).isEqualTo("12 in stock");
			assertThat(server.requests("/first-silent/price")).isEqualTo(2);
			await().atMost(Duration.ofSeconds(2)).until(() -> server.hangUps("/first-silent/price") == 1);
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			assertThat(meters.get("retry.hedges").tag("method", "Downstream.price").tag("result", "won").counter().count())
				.isEqualTo(1);
			dev.retry.breaker.CircuitBreaker breaker = context.getBean(CircuitBreakerRegistry.class).find("stock");
			assertThat(breaker.getSuccessCount()).as("the winning hedge passed the breaker").isEqualTo(1);
			assertThat(breaker.getFailureCount()).as("the cancelled request counts neither way").isZero();
			assertThat(context.getBean(MethodRegistry.class).budget("hedged").retriesInWindow())
				.as("the hedge was paid from the retry budget").isEqualTo(1);
		});
	}

	@Test
	void theDocumentedConfigurationTimesOutTheSilentServerAndHedgesTheSlowAnswer() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class, RetryMetricsAutoConfiguration.class))
			.withInitializer((context) -> documented(context.getEnvironment()))
			.withBean(SimpleMeterRegistry.class)
			.withBean(ManualClock.class)
			.withBean(InventoryClient.class)
			.withBean(PricingClient.class)
			.run((context) -> {
				long start = System.nanoTime();
				Throwable thrown = catchThrowable(
						() -> context.getBean(InventoryClient.class).stock(server.url("/silent/documented-stock")));
				Duration took = Duration.ofNanos(System.nanoTime() - start);
				assertThat(thrown).isInstanceOf(AttemptTimeoutException.class);
				assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(600)).isLessThan(Duration.ofSeconds(2));
				assertThat(server.requests("/silent/documented-stock")).isEqualTo(3);

				HttpResponse<String> response = context.getBean(PricingClient.class)
					.price(server.url("/first-silent/documented-price"))
					.get(2, TimeUnit.SECONDS);
				assertThat(response.body()).isEqualTo("12 in stock");
				assertThat(server.requests("/first-silent/documented-price")).isEqualTo(2);
				MeterRegistry meters = context.getBean(MeterRegistry.class);
				assertThat(meters.get("retry.attempts").tag("method", "InventoryClient.stock").tag("result", "timeout")
					.counter().count()).isEqualTo(3);
				// Here the server leaves unanswered the request that arrives first: on a busy machine the
				// hedge's may overtake its attempt's, and the attempt wins. One hedge, won or lost.
				assertThat(meters.find("retry.hedges").tag("method", "PricingClient.price").counters().stream()
					.mapToDouble(io.micrometer.core.instrument.Counter::count)
					.sum()).as("hedges, won or lost").isEqualTo(1);
			});
	}

	/** The YAML docs/timeouts-and-hedging.md shows, as an application's configuration file. */
	private static void documented(org.springframework.core.env.ConfigurableEnvironment environment) {
		try {
			new org.springframework.boot.env.YamlPropertySourceLoader()
				.load("timeouts-and-hedging.yml", new org.springframework.core.io.ClassPathResource("timeouts-and-hedging.yml"))
				.forEach(environment.getPropertySources()::addFirst);
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	@Test
	void hedgingASynchronousMethodFailsStartUpNamingTheMethodAndTheKey() {
		this.runner.withBean(SynchronousHedge.class).run((context) -> {
			FailureAnalysis analysis = StartupFailureTests.analyze(context);
			assertThat(analysis.getDescription()).startsWith("@Retryable(policy = \"hedged\") on SynchronousHedge.fetch() "
					+ "hedges (hedge-delay 100ms, from retry.policies.hedged.hedge-delay")
				.contains("fetch returns String: a synchronous method has no second attempt");
			assertThat(analysis.getAction()).contains("without hedge-delay");
		});
	}

	@Test
	void anAttemptTimeoutAboveMaxDurationFailsStartUp() {
		this.runner.withPropertyValues("retry.policies.bounded.max-duration=100ms").run((context) -> {
			FailureAnalysis analysis = StartupFailureTests.analyze(context);
			assertThat(analysis.getDescription()).contains("Property: retry.policies.bounded.attempt-timeout")
				.contains("attempt-timeout is above max-duration");
		});
	}

	/** A RestClient with a long read timeout (only the attempt timeout ends an attempt), and the JDK's async client. */
	public static class Downstream {

		private final RestClient rest;

		private final HttpClient http = HttpClient.newHttpClient();

		public Downstream() {
			JdkClientHttpRequestFactory factory = new JdkClientHttpRequestFactory();
			factory.setReadTimeout(Duration.ofSeconds(30));
			this.rest = RestClient.builder().requestFactory(factory).build();
		}

		@Retryable(policy = "bounded")
		public String stock(String url) {
			return this.rest.get().uri(url).retrieve().body(String.class);
		}

		private final AtomicInteger prices = new AtomicInteger();

		/**
		 * The first request unanswered, the hedge's answered: said by the request itself, since
		 * on a busy machine the hedge's request may reach the server first.
		 */
		@Retryable(policy = "hedged")
		@CircuitBreaker(name = "stock")
		public CompletableFuture<HttpResponse<String>> price(String url) {
			String which = (this.prices.getAndIncrement() == 0) ? "?silent" : "?answer";
			return this.http.sendAsync(HttpRequest.newBuilder(URI.create(url + which)).build(),
					HttpResponse.BodyHandlers.ofString());
		}

	}

	public static class SynchronousHedge {

		@Retryable(policy = "hedged")
		public String fetch() {
			return "never";
		}

	}

	/** The synchronous client of docs/timeouts-and-hedging.md: a RestClient whose own read timeout is long. */
	public static class InventoryClient {

		private final RestClient rest = RestClient.builder()
			.requestFactory(new JdkClientHttpRequestFactory())
			.build();

		@Retryable(policy = "inventory")
		public String stock(String url) {
			return this.rest.get().uri(url).retrieve().body(String.class);
		}

	}

	/** The hedged client of docs/timeouts-and-hedging.md, on the JDK's asynchronous client. */
	public static class PricingClient {

		private final HttpClient http = HttpClient.newHttpClient();

		// tag::hedged-method[]
		@Retryable(policy = "pricing")
		public CompletableFuture<HttpResponse<String>> price(String url) {
			return this.http.sendAsync(HttpRequest.newBuilder(URI.create(url)).build(),
					HttpResponse.BodyHandlers.ofString());
		}
		// end::hedged-method[]

	}

}
