package dev.retry.autoconfigure.interfaces;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.CircuitBreakerOpenException;
import dev.retry.annotation.Retryable;
import dev.retry.autoconfigure.RetryAutoConfiguration;
import dev.retry.autoconfigure.ScriptedHttpServer;
import dev.retry.autoconfigure.config.MethodRegistry;
import dev.retry.autoconfigure.config.MethodRegistry.AnnotatedMethod;
import dev.retry.autoconfigure.diagnostics.RetryConfigurationException;
import dev.retry.autoconfigure.metrics.RetryMetricsAutoConfiguration;
import dev.retry.event.CallTarget;
import dev.retry.event.RetryListener;
import dev.retry.time.ManualClock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.support.RestClientAdapter;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;
import org.springframework.web.reactive.function.client.support.WebClientAdapter;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.invoker.HttpServiceProxyFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Spring's HTTP service clients (an {@code @HttpExchange} interface, a JDK proxy with no target
 * object) with the annotations on the interface, against a real HTTP server on a random port:
 * on {@code RestClient} over the JDK's HTTP client, and on {@code WebClient} over Reactor Netty.
 */
@ExtendWith(OutputCaptureExtension.class)
class HttpServiceClientTests {

	private static final ScriptedHttpServer server = ScriptedHttpServer.started();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class, RetryMetricsAutoConfiguration.class))
		.withBean(SimpleMeterRegistry.class)
		.withBean(ManualClock.class)
		.withPropertyValues("retry.policies.quick.base-delay=100ms", "retry.policies.quick.max-delay=1s",
				"retry.policies.quick.jitter=none", "retry.circuit-breakers.inventory.failure-threshold=2",
				"retry.circuit-breakers.inventory.open-duration=10s")
		.withBean(InventoryApi.class, () -> client(InventoryApi.class))
		.withBean(ReactiveInventoryApi.class, () -> reactiveClient(ReactiveInventoryApi.class));

	@AfterAll
	static void stop() {
		server.close();
	}

	static <T> T client(Class<T> type) {
		RestClient restClient = RestClient.builder()
			.baseUrl(server.url())
			.requestFactory(new JdkClientHttpRequestFactory())
			.build();
		return HttpServiceProxyFactory.builderFor(RestClientAdapter.create(restClient)).build().createClient(type);
	}

	static <T> T reactiveClient(Class<T> type) {
		WebClient webClient = WebClient.builder()
			.baseUrl(server.url())
			.clientConnector(new ReactorClientHttpConnector())
			.build();
		return HttpServiceProxyFactory.builderFor(WebClientAdapter.create(webClient)).build().createClient(type);
	}

	@Test
	void jdkClientRetriesTheInterfaceMethodAndNamesItAfterTheInterface(CapturedOutput output) {
		this.runner.run((context) -> {
			server.script("/stock/j1", 503, 503, 200);

			assertThat(context.getBean(InventoryApi.class).stock("j1")).isEqualTo("stock of /stock/j1");

			assertThat(server.requests("/stock/j1")).isEqualTo(3);
			assertThat(context.getBean(ManualClock.class).sleeps()).containsExactly(Duration.ofMillis(100),
					Duration.ofMillis(200));
			assertThat(calls(context.getBean(MeterRegistry.class), "InventoryApi.stock", "success_after_retry"))
				.isEqualTo(1);
			assertThat(output).doesNotContain("no effect", "non-final");
		});
	}

	@Test
	void persistentFailureIsRethrownAsTheClientThrewIt() {
		this.runner.run((context) -> {
			server.script("/stock/j2", 502);

			assertThatExceptionOfType(HttpServerErrorException.BadGateway.class)
				.isThrownBy(() -> context.getBean(InventoryApi.class).stock("j2"));
			assertThat(server.requests("/stock/j2")).isEqualTo(3);
		});
	}

	@Test
	void reactorNettyClientRetriesSynchronousMonoAndFutureMethods() throws Exception {
		this.runner.run((context) -> {
			ReactiveInventoryApi api = context.getBean(ReactiveInventoryApi.class);
			server.script("/stock/s", 503, 503, 200);
			server.script("/stock/m", 503, 503, 200);
			server.script("/stock/f", 503, 503, 200);
			server.script("/stock/x", 503, 503, 200);

			assertThat(api.stock("s")).isEqualTo("stock of /stock/s");
			Mono<String> mono = api.stockMono("m");
			assertThat(server.requests("/stock/m")).as("nothing is sent before a subscription").isZero();
			assertThat(mono.block(Duration.ofSeconds(5))).isEqualTo("stock of /stock/m");
			CompletableFuture<String> future = api.stockFuture("f");
			assertThat(future.get(5, TimeUnit.SECONDS)).isEqualTo("stock of /stock/f");
			assertThat(api.stockFlux("x").collectList().block(Duration.ofSeconds(5))).containsExactly("stock of /stock/x");

			assertThat(List.of("/stock/s", "/stock/m", "/stock/f", "/stock/x")).allSatisfy(
					(path) -> assertThat(server.requests(path)).as(path).isEqualTo(3));
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			assertThat(List.of("stock", "stockMono", "stockFuture", "stockFlux"))
				.allSatisfy((method) -> assertThat(calls(meters, "ReactiveInventoryApi." + method, "success_after_retry"))
					.as(method)
					.isEqualTo(1));
		});
	}

	@Test
	void defaultMethodFallbackRunsOnTheProxySoItsOwnRequestGoesThroughTheClient() {
		this.runner.run((context) -> {
			server.script("/stock/down", 503);
			server.script("/cache/down", 200);

			assertThat(context.getBean(InventoryApi.class).stockOrLastKnown("down"))
				.isEqualTo("last known (ServiceUnavailable): stock of /cache/down");
			assertThat(server.requests("/stock/down")).isEqualTo(3);
			assertThat(server.requests("/cache/down")).isEqualTo(1);
		});
	}

	@Test
	void breakerOnAnInterfaceMethodOpensAndRejects() {
		this.runner.run((context) -> {
			InventoryApi api = context.getBean(InventoryApi.class);
			server.script("/reserve/r", 503);

			assertThatExceptionOfType(HttpServerErrorException.ServiceUnavailable.class).isThrownBy(() -> api.reserve("r"));
			assertThatExceptionOfType(HttpServerErrorException.ServiceUnavailable.class).isThrownBy(() -> api.reserve("r"));
			assertThatExceptionOfType(CircuitBreakerOpenException.class).isThrownBy(() -> api.reserve("r"));
			assertThat(server.requests("/reserve/r")).isEqualTo(2);
		});
	}

	@Test
	void endpointListsInterfaceMethodsWithTheClientsInterceptorAfterOurs() {
		this.runner.run((context) -> {
			List<AnnotatedMethod> methods = context.getBean(MethodRegistry.class).methods();

			assertThat(methods).filteredOn((method) -> method.method().equals("InventoryApi.stock"))
				.singleElement()
				.satisfies((method) -> {
					assertThat(method.policy()).isEqualTo("quick");
					assertThat(method.interceptors()).containsExactly("retry(quick)", "httpService");
				});
			assertThat(methods).extracting(AnnotatedMethod::method)
				.contains("InventoryApi.reserve", "ReactiveInventoryApi.stockMono")
				.doesNotContain("InventoryApi.cached", "InventoryApi.lastKnown");
		});
	}

	@Test
	void fallbackThatIsNotADefaultMethodFailsStartUpSayingSo() {
		this.runner.withBean(NoBodyFallback.class, () -> client(NoBodyFallback.class)).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(RetryConfigurationException.class)
				.hasMessageContaining("names String cached(String), which is not a default method")
				.hasMessageContaining("no class of the application behind it");
			assertThat(((RetryConfigurationException) org.assertj.core.util.Throwables
				.getRootCause(context.getStartupFailure())).getAction())
				.contains("Declare the fallback as a default method of NoBodyFallback");
		});
	}

	@Test
	void closingTheContextEndsAFutureWaitingForItsRetryWithItsLastFailure() {
		Heard heard = new Heard();
		realTime(heard).run((context) -> {
			server.script("/stock/w1", 503);
			CompletableFuture<String> future = context.getBean(ReactiveInventoryApi.class).stockFuture("w1");
			Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> heard.scheduled.get() == 1);

			context.close();

			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> future.get(5, TimeUnit.SECONDS))
				.withCauseInstanceOf(WebClientResponseException.ServiceUnavailable.class);
			assertThat(server.requests("/stock/w1")).isEqualTo(1);
		});
	}

	@Test
	void cancellingAMonoWaitingForItsRetryEndsTheCall() {
		Heard heard = new Heard();
		realTime(heard).run((context) -> {
			server.script("/stock/w2", 503);
			Disposable subscription = context.getBean(ReactiveInventoryApi.class).stockMono("w2").subscribe();
			Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> heard.scheduled.get() == 1);

			subscription.dispose();

			Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> heard.cancelled.get() == 1);
			assertThat(server.requests("/stock/w2")).isEqualTo(1);
		});
	}

	/** Real time: the starter's own scheduler, a retry an hour away. */
	private ApplicationContextRunner realTime(Heard heard) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class))
			.withPropertyValues("retry.policies.quick.base-delay=1h", "retry.policies.quick.max-delay=1h")
			.withBean(Heard.class, () -> heard)
			.withBean(ReactiveInventoryApi.class, () -> reactiveClient(ReactiveInventoryApi.class));
	}

	/** What the calls told their listeners. */
	static class Heard implements RetryListener {

		final AtomicInteger scheduled = new AtomicInteger();

		final AtomicInteger cancelled = new AtomicInteger();

		@Override
		public void onRetryScheduled(CallTarget target, int nextAttempt, int maxAttempts, Duration delay,
				Throwable failure) {
			this.scheduled.incrementAndGet();
		}

		@Override
		public void onCancelled(CallTarget target, int attempts) {
			this.cancelled.incrementAndGet();
		}

	}

	private static double calls(MeterRegistry meters, String method, String outcome) {
		return meters.get("retry.calls").tag("method", method).tag("outcome", outcome).counter().count();
	}

	public interface NoBodyFallback {

		@Retryable(policy = "quick", fallback = "cached")
		@GetExchange("/stock/{sku}")
		String stock(@PathVariable String sku);

		@GetExchange("/cache/{sku}")
		String cached(@PathVariable String sku);

	}

}
