package dev.retry.autoconfigure;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import com.sun.net.httpserver.HttpServer;
import dev.retry.RejectedResultException;
import dev.retry.RetryExhaustedException;
import dev.retry.annotation.CircuitBreaker;
import dev.retry.annotation.Retryable;
import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.autoconfigure.metrics.RetryMetricsAutoConfiguration;
import dev.retry.http.RetryableStatus;
import dev.retry.time.ManualClock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Answers that mean "not yet", over real HTTP: a job server answering PENDING until it is DONE, and
 * a server returning 503 (with and without Retry-After) to a RestClient whose status handler is
 * off, so the response is returned rather than thrown.
 */
@ExtendWith(OutputCaptureExtension.class)
class RetryOnResultHttpTests {

	private static final JobServer server = JobServer.start();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class, RetryMetricsAutoConfiguration.class))
		.withBean(SimpleMeterRegistry.class)
		.withBean(ManualClock.class)
		.withBean(JobClient.class, () -> new JobClient(server.url()))
		.withPropertyValues("retry.policies.jobs.jitter=none", "retry.policies.jobs-wrapped.jitter=none",
				"retry.policies.jobs-wrapped.on-exhausted=wrap", "retry.circuit-breakers.jobs.failure-threshold=2");

	@AfterAll
	static void stop() {
		server.stop();
	}

	@Test
	void aJobAnsweringPendingTwiceIsAskedAgainUntilDone(CapturedOutput output) {
		this.runner.run((context) -> {
			JobClient client = context.getBean(JobClient.class);

			assertThat(client.status("job-1")).isEqualTo("DONE");
			assertThat(server.requests("/jobs/job-1")).isEqualTo(3);
			assertThat(context.getBean(ManualClock.class).sleeps()).containsExactly(Duration.ofSeconds(1),
					Duration.ofSeconds(2));
			assertThat(output).contains("Retry 2/3 for JobClient.status in 1.00s after rejected result: PENDING");
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			assertThat(meters.get("retry.attempts").tag("method", "JobClient.status").tag("result", "rejected_result")
				.counter().count()).isEqualTo(2);
			dev.retry.breaker.CircuitBreaker breaker = context.getBean(CircuitBreakerRegistry.class).find("jobs");
			assertThat(breaker.getFailureCount()).as("the service answered: no failure for the breaker").isZero();
			assertThat(breaker.getSuccessCount()).isEqualTo(3);
		});
	}

	@Test
	void exhaustedOnPendingRethrowReturnsTheLastAnswerWrapThrowsAndTheFallbackGetsTheRejection() {
		this.runner.run((context) -> {
			JobClient client = context.getBean(JobClient.class);

			assertThat(client.status("stuck-1")).isEqualTo("PENDING");
			Throwable thrown = catchThrowable(() -> client.wrapped("stuck-2"));
			assertThat(thrown).isInstanceOf(RetryExhaustedException.class).hasCauseInstanceOf(RejectedResultException.class);
			assertThat(client.withFallback("stuck-3")).isEqualTo("gave up on stuck-3 after rejected result: PENDING");
		});
	}

	@Test
	void aReturned503IsRetriedAndItsRetryAfterSetsTheWait() {
		this.runner.run((context) -> {
			JobClient client = context.getBean(JobClient.class);
			ManualClock clock = context.getBean(ManualClock.class);

			server.script("/status/a", 503, 503, 200);
			ResponseEntity<String> plain = client.entityOf("/status/a");
			assertThat(plain.getStatusCode().value()).isEqualTo(200);
			assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));

			clock.clearSleeps();
			server.retryAfter("/status/b", "5");
			server.script("/status/b", 503, 503, 200);
			ResponseEntity<String> throttled = client.entityOf("/status/b");
			assertThat(throttled.getStatusCode().value()).isEqualTo(200);
			assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(5));

			clock.clearSleeps();
			server.script("/status/c", 404);
			assertThat(client.entityOf("/status/c").getStatusCode().value()).as("404 is an answer").isEqualTo(404);
			assertThat(clock.sleeps()).isEmpty();
		});
	}

	@Test
	void retryableStatusReadsTheJdkClientsResponseAndRestTemplatesEntityToo() {
		this.runner.run((context) -> {
			JobClient client = context.getBean(JobClient.class);
			ManualClock clock = context.getBean(ManualClock.class);

			server.script("/status/jdk", 503, 200);
			server.retryAfter("/status/jdk", "3");
			assertThat(client.jdkResponse("/status/jdk").get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
			assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(3));

			clock.clearSleeps();
			server.script("/status/template", 502, 200);
			assertThat(client.templateExchange("/status/template").getStatusCode().value()).isEqualTo(200);
			assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(1));
		});
	}

	@Test
	void futureAndMonoAnswersArePolledTheSameWay() {
		this.runner.run((context) -> {
			JobClient client = context.getBean(JobClient.class);

			assertThat(client.statusAsync("job-2").get(5, TimeUnit.SECONDS)).isEqualTo("DONE");
			assertThat(client.statusMono("job-3").block(Duration.ofSeconds(5))).isEqualTo("DONE");
			assertThat(server.requests("/jobs/job-2")).isEqualTo(3);
			assertThat(server.requests("/jobs/job-3")).isEqualTo(3);
		});
	}

	@Test
	void aPredicateBeanOfTheContextIsTheOneUsed() {
		this.runner.withBean(CountingPredicate.class).withBean(CountedClient.class).run((context) -> {
			context.getBean(CountedClient.class).answer();
			assertThat(context.getBean(CountingPredicate.class).tested).hasValue(1);
		});
	}

	@Test
	void aFluxMethodWithRetryOnResultFailsStartUpSayingWhy() {
		this.runner.withBean(FluxClient.class).run((context) -> {
			FailureAnalysis analysis = StartupFailureTests.analyze(context);
			assertThat(analysis.getDescription()).isEqualTo("@Retryable(retryOnResult = StillPending.class) on "
					+ "FluxClient.lines(): a Flux emits many values, and a predicate on one of them cannot say whether "
					+ "the whole stream is to be retried.");
		});
	}

	@Test
	void aPredicateOfAnotherTypeFailsStartUpNamingBoth() {
		this.runner.withBean(MismatchedClient.class).run((context) -> {
			FailureAnalysis analysis = StartupFailureTests.analyze(context);
			assertThat(analysis.getDescription()).isEqualTo("@Retryable(retryOnResult = StillPending.class) on "
					+ "MismatchedClient.count(): StillPending tests String, but the method's value type is int.");
			assertThat(analysis.getAction()).startsWith("Make StillPending a Predicate<Integer>");
		});
	}

	@Test
	void aPredicateOfTheResolvedTypeVariableIsAccepted() {
		this.runner.withBean(StringJobs.class).run((context) -> {
			// For StringJobs, T is String: StillPending (a Predicate<String>) fits status(String).
			assertThat(context.getStartupFailure()).as("start-up").isNull();
			StringJobs jobs = context.getBean(StringJobs.class);
			assertThat(jobs.status("j1")).isEqualTo("DONE");
			assertThat(StringJobs.calls).hasValue(2);
		});
	}

	@Test
	void aPredicateThatCannotFitTheResolvedTypeVariableFailsStartUpNamingIt() {
		this.runner.withBean(CountingJobs.class).run((context) -> {
			FailureAnalysis analysis = StartupFailureTests.analyze(context);
			assertThat(analysis.getDescription()).isEqualTo("@Retryable(retryOnResult = StillPending.class) on "
					+ "Jobs.status(String): StillPending tests String, but the method's value type is java.lang.Integer.");
		});
	}

	public abstract static class Jobs<T> {

		@Retryable(policy = "jobs", retryOnResult = StillPending.class)
		public T status(String id) {
			return fetch(id);
		}

		protected abstract T fetch(String id);

	}

	public static class StringJobs extends Jobs<String> {

		static final AtomicInteger calls = new AtomicInteger();

		StringJobs() {
			calls.set(0);
		}

		@Override
		protected String fetch(String id) {
			return (calls.incrementAndGet() == 1) ? "PENDING" : "DONE";
		}

	}

	public static class CountingJobs extends Jobs<Integer> {

		@Override
		protected Integer fetch(String id) {
			return 1;
		}

	}

	public static class StillPending implements Predicate<String> {

		@Override
		public boolean test(String status) {
			return "PENDING".equals(status);
		}

	}

	public static class CountingPredicate implements Predicate<String> {

		final AtomicInteger tested = new AtomicInteger();

		@Override
		public boolean test(String answer) {
			this.tested.incrementAndGet();
			return false;
		}

	}

	public static class CountedClient {

		@Retryable(retryOnResult = CountingPredicate.class)
		public String answer() {
			return "42";
		}

	}

	public static class FluxClient {

		@Retryable(retryOnResult = StillPending.class)
		public Flux<String> lines() {
			return Flux.just("PENDING");
		}

	}

	public static class MismatchedClient {

		@Retryable(retryOnResult = StillPending.class)
		public int count() {
			return 1;
		}

	}

	public static class JobClient {

		private final String url;

		private final RestClient rest;

		private final HttpClient http = HttpClient.newHttpClient();

		private final WebClient web;

		private final org.springframework.web.client.RestTemplate template;

		public JobClient(String url) {
			this.url = url;
			this.rest = RestClient.builder().baseUrl(url).requestFactory(new JdkClientHttpRequestFactory())
				.defaultStatusHandler((status) -> true, (request, response) -> {
				})
				.build();
			this.web = WebClient.builder().baseUrl(url).clientConnector(new JdkClientHttpConnector()).build();
			this.template = new org.springframework.web.client.RestTemplate(new JdkClientHttpRequestFactory());
			this.template.setErrorHandler(new org.springframework.web.client.ResponseErrorHandler() {
				@Override
				public boolean hasError(org.springframework.http.client.ClientHttpResponse response) {
					return false;
				}
			});
		}

		@Retryable(policy = "jobs", retryOnResult = StillPending.class)
		@CircuitBreaker(name = "jobs")
		public String status(String id) {
			return this.rest.get().uri("/jobs/{id}", id).retrieve().body(String.class);
		}

		@Retryable(policy = "jobs-wrapped", retryOnResult = StillPending.class)
		public String wrapped(String id) {
			return this.rest.get().uri("/jobs/{id}", id).retrieve().body(String.class);
		}

		@Retryable(policy = "jobs", retryOnResult = StillPending.class, fallback = "gaveUp")
		public String withFallback(String id) {
			return this.rest.get().uri("/jobs/{id}", id).retrieve().body(String.class);
		}

		String gaveUp(String id, RejectedResultException rejected) {
			return "gave up on " + id + " after " + rejected.getMessage();
		}

		@Retryable(policy = "jobs", retryOnResult = StillPending.class)
		public CompletableFuture<String> statusAsync(String id) {
			return this.http.sendAsync(HttpRequest.newBuilder(URI.create(this.url + "/jobs/" + id)).build(),
					HttpResponse.BodyHandlers.ofString()).thenApply(HttpResponse::body);
		}

		@Retryable(policy = "jobs", retryOnResult = StillPending.class)
		public Mono<String> statusMono(String id) {
			return this.web.get().uri("/jobs/{id}", id).retrieve().bodyToMono(String.class);
		}

		@Retryable(policy = "jobs", retryOnResult = RetryableStatus.class)
		public CompletableFuture<HttpResponse<String>> jdkResponse(String path) {
			return this.http.sendAsync(HttpRequest.newBuilder(URI.create(this.url + path)).build(),
					HttpResponse.BodyHandlers.ofString());
		}

		@Retryable(policy = "jobs", retryOnResult = RetryableStatus.class)
		public ResponseEntity<String> templateExchange(String path) {
			return this.template.exchange(this.url + path, org.springframework.http.HttpMethod.GET, null, String.class);
		}

		@Retryable(policy = "jobs", retryOnResult = RetryableStatus.class)
		public ResponseEntity<String> entityOf(String path) {
			return this.rest.get().uri(path).retrieve().toEntity(String.class);
		}

	}

	/** Jobs answer PENDING twice, then DONE (ids starting with "stuck" stay PENDING); scripted statuses elsewhere. */
	static final class JobServer {

		private final HttpServer http;

		private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();

		private final Map<String, java.util.Queue<Integer>> scripts = new ConcurrentHashMap<>();

		private final Map<String, String> retryAfter = new ConcurrentHashMap<>();

		private JobServer(HttpServer http) {
			this.http = http;
			http.createContext("/", (exchange) -> {
				String path = exchange.getRequestURI().getPath();
				int request = this.requests.computeIfAbsent(path, (p) -> new AtomicInteger()).incrementAndGet();
				int status = 200;
				String body;
				if (path.startsWith("/jobs/")) {
					body = (path.startsWith("/jobs/stuck") || request < 3) ? "PENDING" : "DONE";
				}
				else {
					Integer scripted = this.scripts.getOrDefault(path, new java.util.LinkedList<>()).poll();
					status = (scripted != null) ? scripted : 200;
					body = "status " + status;
					String wait = this.retryAfter.get(path);
					if (wait != null) {
						exchange.getResponseHeaders().add("Retry-After", wait);
					}
				}
				byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
				exchange.getResponseHeaders().add("Content-Type", "text/plain");
				exchange.sendResponseHeaders(status, bytes.length);
				try (OutputStream out = exchange.getResponseBody()) {
					out.write(bytes);
				}
			});
			http.start();
		}

		static JobServer start() {
			try {
				return new JobServer(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0));
			}
			catch (IOException ex) {
				throw new java.io.UncheckedIOException(ex);
			}
		}

		void script(String path, Integer... statuses) {
			this.scripts.put(path, new java.util.concurrent.ConcurrentLinkedQueue<>(java.util.List.of(statuses)));
		}

		void retryAfter(String path, String seconds) {
			this.retryAfter.put(path, seconds);
		}

		int requests(String path) {
			AtomicInteger count = this.requests.get(path);
			return (count != null) ? count.get() : 0;
		}

		String url() {
			return "http://127.0.0.1:" + this.http.getAddress().getPort();
		}

		void stop() {
			this.http.stop(0);
		}

	}

}
