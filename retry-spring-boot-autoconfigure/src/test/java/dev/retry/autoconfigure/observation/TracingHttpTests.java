package dev.retry.autoconfigure.observation;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import dev.retry.annotation.Retryable;
import dev.retry.autoconfigure.RetryAutoConfiguration;
import dev.retry.time.ManualClock;
import dev.retry.time.Scheduler;
import dev.retry.autoconfigure.metrics.RetryMetricsAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationFilter;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.OtelBaggageManager;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.micrometer.tracing.autoconfigure.MicrometerTracingAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Traces of retried calls with a real tracer (Micrometer Tracing on OpenTelemetry, spans kept in
 * memory) over a real HTTP server, in the observation registry Spring Boot's actuator configures
 * (metrics and tracing handlers, their groups): one span per call, one child per attempt, and the
 * HTTP client's own span inside each attempt; no timer of ours; nothing for calls in a trace that
 * is not recorded.
 */
class TracingHttpTests {

	private static final dev.retry.autoconfigure.ScriptedHttpServer server = dev.retry.autoconfigure.ScriptedHttpServer.started();

	private final InMemorySpanExporter exporter = InMemorySpanExporter.create();

	private final SdkTracerProvider tracerProvider = SdkTracerProvider.builder()
		.addSpanProcessor(SimpleSpanProcessor.create(this.exporter))
		.build();

	/** Whether the tracer samples a trace: every trace unless a test says otherwise. */
	private Sampler sampler = Sampler.alwaysOn();

	/** Every observation of ours that ended, by name: a filter sees them as Spring Boot registers it. */
	private final List<String> stopped = new CopyOnWriteArrayList<>();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class, MetricsAutoConfiguration.class,
				CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
				MicrometerTracingAutoConfiguration.class, RetryAutoConfiguration.class,
				RetryMetricsAutoConfiguration.class, RetryObservationAutoConfiguration.class))
		.withBean(ManualClock.class)
		.withPropertyValues("retry.policies.network.jitter=none")
		.withBean(Tracer.class, () -> tracer(this.sampler))
		.withBean(ObservationFilter.class, () -> (context) -> {
			if (context.getName().startsWith("retry.")) {
				this.stopped.add(context.getName());
			}
			return context;
		})
		.withBean(Inventory.class);

	@AfterAll
	static void stop() {
		server.close();
	}

	/** A tracer whose sampler decides as {@code sampler} does. */
	private Tracer tracer(Sampler sampler) {
		return tracer(SdkTracerProvider.builder()
			.setSampler(sampler)
			.addSpanProcessor(SimpleSpanProcessor.create(this.exporter))
			.build());
	}

	/**
	 * A sampler that drops the first trace started and samples every other, as a ratio sampler
	 * does for some trace ids and not others; a span with a parent follows its parent.
	 */
	private static Sampler dropsTheFirstTraceOnly() {
		AtomicBoolean first = new AtomicBoolean(true);
		return new Sampler() {

			@Override
			public SamplingResult shouldSample(Context parentContext, String traceId, String name, SpanKind spanKind,
					Attributes attributes, List<LinkData> parentLinks) {
				SpanContext parent = Span.fromContext(parentContext).getSpanContext();
				if (parent.isValid()) {
					return parent.isSampled() ? SamplingResult.recordAndSample() : SamplingResult.drop();
				}
				return first.getAndSet(false) ? SamplingResult.drop() : SamplingResult.recordAndSample();
			}

			@Override
			public String getDescription() {
				return "drops the first trace only";
			}

		};
	}

	private static Tracer tracer(SdkTracerProvider provider) {
		OtelCurrentTraceContext current = new OtelCurrentTraceContext();
		return new OtelTracer(provider.get("test"), current, (event) -> {
		}, new OtelBaggageManager(current, List.of(), List.of()));
	}

	@Test
	void aCallThatNeededThreeAttemptsIsOneSpanWithThreeAttemptSpansEachHoldingItsHttpRequest() {
		server.script("/stock/a1", 503, 503, 200);
		this.runner.run((context) -> {
			Inventory inventory = context.getBean(Inventory.class);
			assertThat(inventory.stock("a1")).isEqualTo("stock of /stock/a1");

			List<SpanData> spans = this.exporter.getFinishedSpanItems();
			SpanData call = only(spans, "retry Inventory.stock");
			assertThat(call.getParentSpanContext().isValid()).isFalse();
			assertThat(call.getAttributes().get(AttributeKey.stringKey("outcome"))).isEqualTo("success_after_retry");
			assertThat(call.getAttributes().get(AttributeKey.stringKey("policy"))).isEqualTo("network");
			assertThat(call.getEvents()).extracting((event) -> event.getName())
				.containsExactly(
						"attempt 2 in 1.00s (backoff) after org.springframework.web.client.HttpServerErrorException$ServiceUnavailable",
						"attempt 3 in 2.00s (backoff) after org.springframework.web.client.HttpServerErrorException$ServiceUnavailable");

			List<SpanData> attempts = childrenOf(spans, call);
			assertThat(attempts).extracting(SpanData::getName)
				.containsExactly("retry Inventory.stock attempt 1", "retry Inventory.stock attempt 2",
						"retry Inventory.stock attempt 3");
			assertThat(attempts).extracting((span) -> span.getAttributes().get(AttributeKey.stringKey("result")))
				.containsExactly("failure", "failure", "success");
			assertThat(attempts).extracting((span) -> span.getStatus().getStatusCode())
				.containsExactly(StatusCode.ERROR, StatusCode.ERROR, StatusCode.OK);
			assertThat(attempts.get(0).getEvents()).anySatisfy(
					(event) -> assertThat(event.getAttributes().get(AttributeKey.stringKey("exception.type")))
						.contains("ServiceUnavailable"));
			for (SpanData attempt : attempts) {
				assertThat(childrenOf(spans, attempt)).singleElement()
					.satisfies((http) -> assertThat(http.getName()).startsWith("http get"));
			}
			assertThat(spans).hasSize(1 + 3 + 3);
			// Timed by retry.calls and retry.attempts, not by the observation handler of the meters.
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			assertThat(meters.find("retry.call").meters()).isEmpty();
			assertThat(meters.find("retry.attempt").meters()).isEmpty();
			assertThat(meters.get("retry.calls").tag("outcome", "success_after_retry").counter().count()).isOne();
			assertThat(meters.find("http.client.requests").timer()).isNotNull();
		});
	}

	@Test
	void aCallInATraceThatIsNotRecordedIsNotObservedButItsRetriesHaveTheirMdcFields() {
		server.script("/stock/u1", 503, 200);
		this.sampler = Sampler.alwaysOff();
		this.runner.run((context) -> {
			Inventory inventory = context.getBean(Inventory.class);
			// A request whose trace the sampler dropped: so is everything in it.
			Observation request = Observation.start("http.server.requests", context.getBean(ObservationRegistry.class));
			try (Observation.Scope scope = request.openScope()) {
				assertThat(inventory.stock("u1")).isEqualTo("stock of /stock/u1");
			}
			request.stop();
			assertThat(this.stopped).isEmpty();
			assertThat(inventory.mdcSeen()).containsExactly(Map.of(),
					Map.of("retry.method", "Inventory.stock", "retry.policy", "network", "retry.attempt", "2"));
		});
	}

	@Test
	void aCallThatStartsATraceTheSamplerDropsMakesNoAttemptObservations() {
		server.script("/stock/r1", 200);
		this.sampler = Sampler.alwaysOff();
		this.runner.run((context) -> {
			assertThat(context.getBean(Inventory.class).stock("r1")).isEqualTo("stock of /stock/r1");
			assertThat(this.stopped).containsExactly("retry.call");
			assertThat(this.exporter.getFinishedSpanItems()).isEmpty();
		});
	}

	@Test
	void theApplicationsObservationPredicatesApplyToOurs() {
		server.script("/stock/p1", 200);
		this.runner.withPropertyValues("management.observations.enable.retry=false").run((context) -> {
			assertThat(context.getBean(Inventory.class).stock("p1")).isEqualTo("stock of /stock/p1");
			assertThat(this.exporter.getFinishedSpanItems()).extracting(SpanData::getName)
				.containsExactly("http get");
		});
	}

	@Test
	void aRegistryTheApplicationMadeItselfIsUsedAsItIs() {
		server.script("/stock/h1", 503, 200);
		ObservationRegistry handMade = ObservationRegistry.create();
		handMade.observationConfig().observationHandler(new DefaultTracingObservationHandler(tracer(this.tracerProvider)));
		new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(RetryAutoConfiguration.class, RetryObservationAutoConfiguration.class))
			.withBean(ManualClock.class)
			.withBean(ObservationRegistry.class, () -> handMade)
			.withBean(Inventory.class)
			.run((context) -> {
				assertThat(context.getBean(Inventory.class).stock("h1")).isEqualTo("stock of /stock/h1");
				assertThat(this.exporter.getFinishedSpanItems()).extracting(SpanData::getName)
					.contains("retry Inventory.stock", "retry Inventory.stock attempt 1",
							"retry Inventory.stock attempt 2");
			});
	}

	@Test
	void eachAttemptOfAFutureHasItsOwnSpanUnderTheCall() {
		server.script("/stock/f1", 503, 200);
		this.runner.run((context) -> {
			Inventory inventory = context.getBean(Inventory.class);
			assertThat(inventory.stockLater("f1").get()).isEqualTo("stock of /stock/f1");

			// The caller may have its answer a moment before the call's span ends.
			await().untilAsserted(() -> only(this.exporter.getFinishedSpanItems(), "retry Inventory.stockLater"));
			List<SpanData> spans = this.exporter.getFinishedSpanItems();
			SpanData call = only(spans, "retry Inventory.stockLater");
			List<SpanData> attempts = childrenOf(spans, call);
			assertThat(attempts).extracting(SpanData::getName)
				.containsExactly("retry Inventory.stockLater attempt 1", "retry Inventory.stockLater attempt 2");
			assertThat(call.getAttributes().get(AttributeKey.stringKey("outcome"))).isEqualTo("success_after_retry");
			// The request the method starts while its attempt is current nests under that attempt.
			for (SpanData attempt : attempts) {
				assertThat(childrenOf(spans, attempt)).singleElement()
					.satisfies((http) -> assertThat(http.getName()).startsWith("http get"));
			}
		});
	}

	@Test
	void aWebClientRequestNestsUnderItsReactiveAttempt() {
		server.script("/stock/m1", 503, 200);
		this.runner.run((context) -> {
			Inventory inventory = context.getBean(Inventory.class);
			assertThat(inventory.stockReactive("m1").block()).isEqualTo("stock of /stock/m1");

			await().untilAsserted(() -> only(this.exporter.getFinishedSpanItems(), "retry Inventory.stockReactive"));
			List<SpanData> spans = this.exporter.getFinishedSpanItems();
			SpanData call = only(spans, "retry Inventory.stockReactive");
			List<SpanData> attempts = childrenOf(spans, call);
			assertThat(attempts).extracting(SpanData::getName)
				.containsExactly("retry Inventory.stockReactive attempt 1", "retry Inventory.stockReactive attempt 2");
			for (SpanData attempt : attempts) {
				assertThat(childrenOf(spans, attempt)).singleElement()
					.satisfies((http) -> assertThat(http.getName()).startsWith("http get"));
			}
		});
	}

	@Test
	void theMdcHoldsTheAttemptWhileItRunsAndIsRestoredAfter() {
		server.script("/stock/d1", 503, 200);
		this.runner.run((context) -> {
			Inventory inventory = context.getBean(Inventory.class);
			MDC.put("retry.attempt", "from the caller");
			try {
				inventory.stock("d1");
				assertThat(inventory.mdcSeen()).containsExactly(
						Map.of("retry.method", "Inventory.stock", "retry.policy", "network", "retry.attempt", "1"),
						Map.of("retry.method", "Inventory.stock", "retry.policy", "network", "retry.attempt", "2"));
				assertThat(MDC.get("retry.attempt")).isEqualTo("from the caller");
				assertThat(MDC.get("retry.method")).isNull();
			}
			finally {
				MDC.remove("retry.attempt");
			}
		});
	}

	@Test
	void turnedOffThereAreNoSpansAndNoMdcFields() {
		server.script("/stock/o1", 503, 200);
		this.runner.withPropertyValues("retry.observations.enabled=false").run((context) -> {
			Inventory inventory = context.getBean(Inventory.class);
			assertThat(inventory.stock("o1")).isEqualTo("stock of /stock/o1");
			assertThat(this.exporter.getFinishedSpanItems()).extracting(SpanData::getName)
				.noneMatch((name) -> name.startsWith("retry "));
			assertThat(inventory.mdcSeen()).allSatisfy((fields) -> assertThat(fields).isEmpty());
		});
	}

	@Test
	void theRequestOfACallWhoseTraceTheSamplerDroppedIsNotRecordedAsATraceOfItsOwn() {
		server.script("/stock/s1", 200);
		this.sampler = dropsTheFirstTraceOnly();
		this.runner.run((context) -> {
			assertThat(context.getBean(Inventory.class).stock("s1")).isEqualTo("stock of /stock/s1");
			// The request was part of the call's trace, which the sampler dropped: nothing is recorded.
			assertThat(this.exporter.getFinishedSpanItems()).extracting(SpanData::getName).isEmpty();
		});
	}

	@Test
	void theRequestsOfAFutureWhoseTraceTheSamplerDroppedAreNotRecordedAsTracesOfTheirOwn() throws Exception {
		server.script("/stock/s2", 503, 200);
		this.sampler = dropsTheFirstTraceOnly();
		this.runner.run((context) -> {
			assertThat(context.getBean(Inventory.class).stockLater("s2").get()).isEqualTo("stock of /stock/s2");
			assertThat(this.exporter.getFinishedSpanItems()).extracting(SpanData::getName).isEmpty();
		});
	}

	@Test
	void theRequestsOfAMonoWhoseTraceTheSamplerDroppedAreNotRecordedAsTracesOfTheirOwn() {
		server.script("/stock/s3", 503, 200);
		this.sampler = dropsTheFirstTraceOnly();
		this.runner.run((context) -> {
			assertThat(context.getBean(Inventory.class).stockReactive("s3").block()).isEqualTo("stock of /stock/s3");
			assertThat(this.exporter.getFinishedSpanItems()).extracting(SpanData::getName).isEmpty();
		});
	}

	@Test
	void theRetryOfAFutureInATraceTheSamplerDroppedIsNotRecordedAsATraceOfItsOwn() {
		server.script("/stock/s4", 503, 200);
		this.sampler = dropsTheFirstTraceOnly();
		ExecutorService schedulerThread = Executors.newSingleThreadExecutor();
		try {
			// The wait over, the retry starts on the scheduler's thread, as with the default scheduler.
			Scheduler onItsOwnThread = (task, delayNanos) -> schedulerThread.submit(task);
			this.runner.withBean("onItsOwnThread", Scheduler.class, () -> onItsOwnThread,
					(definition) -> definition.setPrimary(true)).run((context) -> {
						Observation request = Observation.start("http.server.requests",
								context.getBean(ObservationRegistry.class));
						CompletableFuture<String> answer;
						try (Observation.Scope scope = request.openScope()) {
							answer = context.getBean(Inventory.class).stockLater("s4");
						}
						assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo("stock of /stock/s4");
						request.stop();
						assertThat(this.exporter.getFinishedSpanItems()).extracting(SpanData::getName).isEmpty();
					});
		}
		finally {
			schedulerThread.shutdownNow();
		}
	}

	@Test
	void withAttemptObservationsTurnedOffEveryRequestIsStillInsideItsCallsSpan() {
		server.script("/stock/p2", 503, 200);
		this.runner.withPropertyValues("management.observations.enable.retry.attempt=false").run((context) -> {
			assertThat(context.getBean(Inventory.class).stock("p2")).isEqualTo("stock of /stock/p2");
			List<SpanData> spans = this.exporter.getFinishedSpanItems();
			SpanData call = only(spans, "retry Inventory.stock");
			assertThat(spans).filteredOn((span) -> span.getName().startsWith("http get"))
				.hasSize(2)
				.allSatisfy((http) -> assertThat(http.getParentSpanId()).as("parent of %s", http)
					.isEqualTo(call.getSpanId()));
		});
	}

	@Test
	void aRegistryTheApplicationMadeItselfIsUsedAsItIsInAnApplicationWithMetrics() {
		server.script("/stock/h2", 503, 200);
		Tracer tracer = tracer(this.tracerProvider);
		// Spring Boot's metrics offer their meter handler to every registry, the application's own too.
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class, MetricsAutoConfiguration.class,
					CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
					RetryAutoConfiguration.class, RetryMetricsAutoConfiguration.class,
					RetryObservationAutoConfiguration.class))
			.withBean(ManualClock.class)
			.withBean(ObservationRegistry.class, () -> {
				ObservationRegistry handMade = ObservationRegistry.create();
				handMade.observationConfig().observationHandler(new DefaultTracingObservationHandler(tracer));
				return handMade;
			})
			.withBean(Inventory.class)
			.run((context) -> {
				assertThat(context.getBean(Inventory.class).stock("h2")).isEqualTo("stock of /stock/h2");
				assertThat(this.exporter.getFinishedSpanItems()).extracting(SpanData::getName)
					.contains("retry Inventory.stock", "retry Inventory.stock attempt 1",
							"retry Inventory.stock attempt 2");
			});
	}

	@Test
	void anApplicationWhoseRegistryIsTheNoopOneGetsNoSpansOfOurs() {
		server.script("/stock/n1", 503, 200);
		// Observations turned off as Micrometer offers: the registry that observes nothing.
		this.runner.withBean(ObservationRegistry.class, () -> ObservationRegistry.NOOP).run((context) -> {
			assertThat(context.getBean(Inventory.class).stock("n1")).isEqualTo("stock of /stock/n1");
			assertThat(this.exporter.getFinishedSpanItems()).extracting(SpanData::getName).isEmpty();
		});
	}

	@Test
	void aHandlerThatThrowsLeavesNothingOfOursCurrentForTheThreadsNextTask() {
		server.script("/stock/t1", 503, 200);
		ObservationHandler<Observation.Context> throwing = new ObservationHandler<>() {

			@Override
			public void onScopeOpened(Observation.Context context) {
				if (ObservationCallObserver.ATTEMPT.equals(context.getName())) {
					throw new IllegalStateException("a handler with a bug");
				}
			}

			@Override
			public boolean supportsContext(Observation.Context context) {
				return true;
			}

		};
		this.runner.withBean("throwing", ObservationHandler.class, () -> throwing).run((context) -> {
			ObservationRegistry registry = context.getBean(ObservationRegistry.class);
			ExecutorService pool = Executors.newSingleThreadExecutor();
			Observation currentAfter;
			try {
				assertThat(pool.submit(() -> context.getBean(Inventory.class).stock("t1")).get())
					.isEqualTo("stock of /stock/t1");
				// The next task on the pool's thread starts a trace of its own.
				pool.submit(() -> Observation.start("next.task", registry).stop()).get();
				currentAfter = pool.submit(registry::getCurrentObservation).get();
			}
			finally {
				pool.shutdownNow();
			}
			assertThat(only(this.exporter.getFinishedSpanItems(), "next.task").getParentSpanContext().isValid())
				.as("the next task's span has a parent").isFalse();
			assertThat(currentAfter).isNull();
		});
	}

	@Test
	void withAttemptObservationsTurnedOffEveryRequestOfAFutureAndOfAMonoIsStillInsideItsCallsSpan() throws Exception {
		server.script("/stock/p3", 503, 200);
		server.script("/stock/p4", 503, 200);
		this.runner.withPropertyValues("management.observations.enable.retry.attempt=false").run((context) -> {
			Inventory inventory = context.getBean(Inventory.class);
			assertThat(inventory.stockLater("p3").get(10, TimeUnit.SECONDS)).isEqualTo("stock of /stock/p3");
			assertThat(inventory.stockReactive("p4").block()).isEqualTo("stock of /stock/p4");
			await().untilAsserted(() -> assertThat(this.exporter.getFinishedSpanItems()).extracting(SpanData::getName)
				.contains("retry Inventory.stockLater", "retry Inventory.stockReactive"));
			List<SpanData> spans = this.exporter.getFinishedSpanItems();
			for (String method : List.of("stockLater", "stockReactive")) {
				SpanData call = only(spans, "retry Inventory." + method);
				assertThat(childrenOf(spans, call)).as("children of %s", call.getName())
					.hasSize(2)
					.allSatisfy((http) -> assertThat(http.getName()).startsWith("http get"));
			}
		});
	}

	@Test
	void theRetryOfAMonoInATraceTheSamplerDroppedIsNotRecordedAsATraceOfItsOwn() {
		server.script("/stock/s5", 503, 200);
		this.sampler = dropsTheFirstTraceOnly();
		ExecutorService schedulerThread = Executors.newSingleThreadExecutor();
		try {
			Scheduler onItsOwnThread = (task, delayNanos) -> schedulerThread.submit(task);
			this.runner.withBean("onItsOwnThread", Scheduler.class, () -> onItsOwnThread,
					(definition) -> definition.setPrimary(true)).run((context) -> {
						Observation request = Observation.start("http.server.requests",
								context.getBean(ObservationRegistry.class));
						Mono<String> answer;
						String value;
						// Subscribed where the dropped request is current, not in the subscriber's context.
						try (Observation.Scope scope = request.openScope()) {
							answer = context.getBean(Inventory.class).stockReactive("s5");
							value = answer.block(java.time.Duration.ofSeconds(10));
						}
						assertThat(value).isEqualTo("stock of /stock/s5");
						request.stop();
						assertThat(this.exporter.getFinishedSpanItems()).extracting(SpanData::getName).isEmpty();
					});
		}
		finally {
			schedulerThread.shutdownNow();
		}
	}

	@Test
	void aHandlerThatThrowsWhenTheAttemptIsLeftLeavesNothingOfOursCurrentForTheThreadsNextTask() {
		server.script("/stock/t2", 503, 200);
		ObservationHandler<Observation.Context> throwing = new ObservationHandler<>() {

			@Override
			public void onScopeClosed(Observation.Context context) {
				if (ObservationCallObserver.ATTEMPT.equals(context.getName())) {
					throw new IllegalStateException("a handler with a bug");
				}
			}

			@Override
			public boolean supportsContext(Observation.Context context) {
				return true;
			}

		};
		this.runner.withBean("throwing", ObservationHandler.class, () -> throwing).run((context) -> {
			ObservationRegistry registry = context.getBean(ObservationRegistry.class);
			ExecutorService pool = Executors.newSingleThreadExecutor();
			Observation currentAfter;
			try {
				assertThat(pool.submit(() -> context.getBean(Inventory.class).stock("t2")).get())
					.isEqualTo("stock of /stock/t2");
				pool.submit(() -> Observation.start("next.task", registry).stop()).get();
				currentAfter = pool.submit(registry::getCurrentObservation).get();
			}
			finally {
				pool.shutdownNow();
			}
			assertThat(only(this.exporter.getFinishedSpanItems(), "next.task").getParentSpanContext().isValid())
				.as("the next task's span has a parent").isFalse();
			assertThat(currentAfter).isNull();
		});
	}

	private static SpanData only(List<SpanData> spans, String name) {
		List<SpanData> named = spans.stream().filter((span) -> span.getName().equals(name)).toList();
		assertThat(named).as("spans named %s among %s", name, spans.stream().map(SpanData::getName).toList())
			.hasSize(1);
		return named.get(0);
	}

	private static List<SpanData> childrenOf(List<SpanData> spans, SpanData parent) {
		return spans.stream()
			.filter((span) -> span.getParentSpanId().equals(parent.getSpanId()))
			.sorted(java.util.Comparator.comparingLong(SpanData::getStartEpochNanos))
			.collect(Collectors.toList());
	}

	public static class Inventory {

		final List<Map<String, String>> mdcSeen = new CopyOnWriteArrayList<>();

		private final RestClient client;

		private final WebClient webClient;

		public Inventory(ObservationRegistry registry) {
			String url = server.url();
			this.client = RestClient.builder()
				.baseUrl(url)
				.requestFactory(new JdkClientHttpRequestFactory())
				.observationRegistry(registry)
				.build();
			this.webClient = WebClient.builder()
				.baseUrl(url)
				.clientConnector(new ReactorClientHttpConnector())
				.observationRegistry(registry)
				.build();
		}

		public List<Map<String, String>> mdcSeen() {
			return this.mdcSeen;
		}

		@Retryable(policy = "network")
		public String stock(String sku) {
			Map<String, String> fields = new java.util.TreeMap<>();
			for (String key : List.of("retry.method", "retry.policy", "retry.attempt")) {
				String value = MDC.get(key);
				if (value != null && !value.equals("from the caller")) {
					fields.put(key, value);
				}
			}
			this.mdcSeen.add(fields);
			return this.client.get().uri("/stock/{sku}", sku).retrieve().body(String.class);
		}

		@Retryable(policy = "network")
		public CompletableFuture<String> stockLater(String sku) {
			return CompletableFuture.completedFuture(
					this.client.get().uri("/stock/{sku}", sku).retrieve().body(String.class));
		}

		@Retryable(policy = "network")
		public Mono<String> stockReactive(String sku) {
			return this.webClient.get().uri("/stock/{sku}", sku).retrieve().bodyToMono(String.class);
		}

	}

}
