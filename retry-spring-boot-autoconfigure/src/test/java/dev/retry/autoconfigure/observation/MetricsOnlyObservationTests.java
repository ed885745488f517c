package dev.retry.autoconfigure.observation;

import java.net.ConnectException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.annotation.Retryable;
import dev.retry.autoconfigure.RetryAutoConfiguration;
import dev.retry.autoconfigure.metrics.RetryMetricsAutoConfiguration;
import dev.retry.event.CallObserver;
import dev.retry.time.ManualClock;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application with metrics and no tracer, as the actuator with a meter registry configures it:
 * calls are not observed (the meter handler would only count them again), our own meters count
 * every call, and each retry still has its MDC fields.
 */
class MetricsOnlyObservationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class, MetricsAutoConfiguration.class,
				CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
				RetryAutoConfiguration.class, RetryMetricsAutoConfiguration.class,
				RetryObservationAutoConfiguration.class))
		.withBean(ManualClock.class)
		.withBean(Inventory.class);

	@Test
	void callsAreNotObservedOurMetersCountThemAndRetriesHaveTheirMdcFields() {
		this.runner.run((context) -> {
			assertThat(context.getBean(CallObserver.class).followsEveryCall()).isFalse();
			Inventory inventory = context.getBean(Inventory.class);
			assertThat(inventory.stock()).isEqualTo("ok");
			assertThat(inventory.stock()).isEqualTo("ok");
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			assertThat(meters.find("retry.call").meters()).isEmpty();
			assertThat(meters.find("retry.call.active").meters()).isEmpty();
			assertThat(meters.find("retry.attempt").meters()).isEmpty();
			assertThat(meters.get("retry.calls").tag("method", "Inventory.stock").tag("outcome", "success_after_retry").counter().count()).isOne();
			assertThat(meters.get("retry.calls").tag("method", "Inventory.stock").tag("outcome", "success").counter().count()).isOne();
			assertThat(meters.get("retry.attempts").tag("method", "Inventory.stock").tag("result", "failure").counter().count()).isOne();
			assertThat(inventory.mdcSeen()).containsExactly(Map.of(), retry(2), Map.of());
			assertThat(MDC.get("retry.method")).isNull();
		});
	}

	@Test
	void withoutAnyRegistryRetriesStillHaveTheirMdcFields() {
		new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(RetryAutoConfiguration.class, RetryObservationAutoConfiguration.class))
			.withBean(ManualClock.class)
			.withBean(Inventory.class)
			.run((context) -> {
				Inventory inventory = context.getBean(Inventory.class);
				assertThat(inventory.stock()).isEqualTo("ok");
				assertThat(inventory.mdcSeen()).containsExactly(Map.of(), retry(2));
			});
	}

	@Test
	void turnedOffRetriesHaveNoMdcFields() {
		this.runner.withPropertyValues("retry.observations.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(CallObserver.class);
			Inventory inventory = context.getBean(Inventory.class);
			assertThat(inventory.stock()).isEqualTo("ok");
			assertThat(inventory.mdcSeen()).containsExactly(Map.of(), Map.of());
		});
	}

	@Test
	void eachRetryOfAMonoHasItsMdcFields() {
		this.runner.run((context) -> {
			Inventory inventory = context.getBean(Inventory.class);
			assertThat(inventory.stockReactive().block()).isEqualTo("ok");
			assertThat(inventory.mdcSeen()).containsExactly(Map.of(), retry("Inventory.stockReactive", 2));
			assertThat(MDC.get("retry.method")).isNull();
		});
	}

	@Test
	void eachRetryOfAFluxHasItsMdcFields() {
		this.runner.run((context) -> {
			Inventory inventory = context.getBean(Inventory.class);
			assertThat(inventory.stockStream().collectList().block()).containsExactly("ok");
			assertThat(inventory.mdcSeen()).containsExactly(Map.of(), retry("Inventory.stockStream", 2));
			assertThat(MDC.get("retry.method")).isNull();
		});
	}

	@Test
	void eachRetryOfAFutureHasItsMdcFields() throws Exception {
		this.runner.run((context) -> {
			Inventory inventory = context.getBean(Inventory.class);
			assertThat(inventory.stockLater().get(10, TimeUnit.SECONDS)).isEqualTo("ok");
			assertThat(inventory.mdcSeen()).containsExactly(Map.of(), retry("Inventory.stockLater", 2));
			assertThat(MDC.get("retry.method")).isNull();
		});
	}

	@Test
	void aMonoThatSucceedsAtOnceHasNoMdcFields() {
		this.runner.run((context) -> {
			Inventory inventory = context.getBean(Inventory.class);
			inventory.answersAtOnce();
			assertThat(inventory.stockReactive().block()).isEqualTo("ok");
			assertThat(inventory.mdcSeen()).containsExactly(Map.of());
		});
	}

	private static Map<String, String> retry(int attempt) {
		return retry("Inventory.stock", attempt);
	}

	private static Map<String, String> retry(String method, int attempt) {
		return Map.of("retry.method", method, "retry.policy", "network", "retry.attempt", String.valueOf(attempt));
	}

	public static class Inventory {

		final List<Map<String, String>> mdcSeen = new CopyOnWriteArrayList<>();

		private final AtomicInteger calls = new AtomicInteger();

		public List<Map<String, String>> mdcSeen() {
			return this.mdcSeen;
		}

		/** Fails its first call once with a refused connection. */
		@Retryable(policy = "network")
		public String stock() throws ConnectException {
			return answer();
		}

		/** As {@link #stock()}, when each attempt subscribes. */
		@Retryable(policy = "network")
		public Mono<String> stockReactive() {
			return Mono.fromCallable(this::answer);
		}

		/** As {@link #stock()}, as a stream each attempt subscribes. */
		@Retryable(policy = "network")
		public Flux<String> stockStream() {
			return Flux.defer(() -> {
				try {
					return Flux.just(answer());
				}
				catch (ConnectException ex) {
					return Flux.error(ex);
				}
			});
		}

		/** As {@link #stock()}, the method itself starting each attempt. */
		@Retryable(policy = "network")
		public CompletableFuture<String> stockLater() {
			try {
				return CompletableFuture.completedFuture(answer());
			}
			catch (ConnectException ex) {
				return CompletableFuture.failedFuture(ex);
			}
		}

		/** From now on, every call answers at once. */
		public void answersAtOnce() {
			this.calls.set(1);
		}

		/** Notes the MDC fields; the first time, fails with a refused connection. */
		private String answer() throws ConnectException {
			this.mdcSeen.add(fields());
			if (this.calls.incrementAndGet() == 1) {
				throw new ConnectException("refused");
			}
			return "ok";
		}

		private static Map<String, String> fields() {
			Map<String, String> fields = new TreeMap<>();
			for (String key : List.of("retry.method", "retry.policy", "retry.attempt")) {
				String value = MDC.get(key);
				if (value != null) {
					fields.put(key, value);
				}
			}
			return fields;
		}

	}

}
