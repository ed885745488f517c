package dev.retry.autoconfigure.async;

import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.retry.CircuitBreakerOpenException;
import dev.retry.autoconfigure.RetryAutoConfiguration;
import dev.retry.autoconfigure.metrics.RetryMetricsAutoConfiguration;
import dev.retry.time.DaemonScheduler;
import dev.retry.time.ManualClock;
import dev.retry.time.Scheduler;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * {@code CompletableFuture}, {@code Mono} and {@code Flux} methods under the annotations: same
 * policies, waits scheduled (read back from the {@link ManualClock}), same logs and metrics.
 */
@ExtendWith(OutputCaptureExtension.class)
class AsyncAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class, RetryMetricsAutoConfiguration.class))
		.withBean(SimpleMeterRegistry.class)
		.withBean(ManualClock.class)
		.withBean(FutureService.class)
		.withBean(ReactiveService.class)
		.withPropertyValues("retry.policies.network.jitter=none", "retry.circuit-breakers.inventory.failure-threshold=3");

	@Test
	void aMethodReturningAMinimalStageIsTimedHedgedAndCancellableThroughTheProxy() {
		this.runner.withBean(MinimalStages.class)
			.withPropertyValues("retry.policies.minimal.attempt-timeout=1s", "retry.policies.minimal.hedge-delay=30ms",
					"retry.policies.minimal.base-delay=0", "retry.policies.minimal.max-delay=0")
			.run((context) -> {
				MinimalStages stages = context.getBean(MinimalStages.class);

				assertThat(stages.cached().toCompletableFuture().get(2, TimeUnit.SECONDS)).isEqualTo("cached");
				assertThat(stages.hedged().toCompletableFuture().get(2, TimeUnit.SECONDS)).isEqualTo("from the hedge");
				CompletableFuture<String> pending = stages.never().toCompletableFuture();
				assertThat(catchThrowable(() -> pending.cancel(true))).isNull();
				assertThat(pending).isCancelled();
			});
	}

	public static class MinimalStages {

		private final java.util.concurrent.atomic.AtomicInteger hedgedCalls = new java.util.concurrent.atomic.AtomicInteger();

		@dev.retry.annotation.Retryable(policy = "minimal")
		public java.util.concurrent.CompletionStage<String> cached() {
			return CompletableFuture.completedStage("cached");
		}

		@dev.retry.annotation.Retryable(policy = "minimal")
		public java.util.concurrent.CompletionStage<String> hedged() {
			return (this.hedgedCalls.incrementAndGet() == 1) ? new CompletableFuture<String>().minimalCompletionStage()
					: CompletableFuture.completedStage("from the hedge");
		}

		@dev.retry.annotation.Retryable(policy = "minimal")
		public java.util.concurrent.CompletionStage<String> never() {
			return new CompletableFuture<String>().minimalCompletionStage();
		}

	}

	@Test
	void failedFutureIsRetriedOnScheduledWaitsWithTheSameLogsAndMetrics(CapturedOutput output) {
		this.runner.run((context) -> {
			FutureService service = context.getBean(FutureService.class);

			CompletableFuture<String> stock = service.stock("A-1");

			assertThat(stock.get(5, TimeUnit.SECONDS)).isEqualTo("A-1: 12 in stock, attempt 3");
			assertThat(context.getBean(ManualClock.class).sleeps()).containsExactly(Duration.ofSeconds(1),
					Duration.ofSeconds(2));
			assertThat(output).contains("Retry 2/3 for FutureService.stock in 1.00s after ConnectException: refused #1",
					"Retry 3/3 for FutureService.stock in 2.00s after ConnectException: refused #2");
			assertThat(calls(context.getBean(MeterRegistry.class), "FutureService.stock", "success_after_retry"))
				.isEqualTo(1);
		});
	}

	@Test
	void exhaustedFutureFailsWithTheLastFailureAndIsCounted(CapturedOutput output) {
		this.runner.run((context) -> {
			FutureService service = context.getBean(FutureService.class);
			service.failures(10);

			Throwable failure = catchThrowable(() -> service.stock("A-1").join());

			assertThat(failure.getCause()).isInstanceOf(ConnectException.class).hasMessage("refused #3");
			assertThat(service.calls()).isEqualTo(3);
			assertThat(calls(context.getBean(MeterRegistry.class), "FutureService.stock", "exhausted")).isEqualTo(1);
			assertThat(output).contains("Retries exhausted for FutureService.stock after 3");
		});
	}

	@Test
	void nonRetryableFutureFailureIsNotRetried() {
		this.runner.run((context) -> {
			FutureService service = context.getBean(FutureService.class);

			Throwable failure = catchThrowable(() -> service.invalid().toCompletableFuture().join());

			assertThat(failure.getCause()).isInstanceOf(IllegalArgumentException.class);
			assertThat(service.calls()).isEqualTo(1);
			assertThat(calls(context.getBean(MeterRegistry.class), "FutureService.invalid", "not_retryable"))
				.isEqualTo(1);
		});
	}

	@Test
	void openBreakerRejectsAFutureMethodAndItsFallbackAnswers() {
		this.runner.run((context) -> {
			FutureService service = context.getBean(FutureService.class);

			for (int i = 0; i < 3; i++) {
				assertThat(service.breakerStock("A-1").join()).isEqualTo("A-1: 3 (cached, ConnectException)");
			}

			assertThat(service.breakerStock("A-1").join()).isEqualTo("A-1: 3 (cached, CircuitBreakerOpenException)");
			assertThat(service.calls()).as("the rejected call never reached the method").isEqualTo(3);
		});
	}

	@Test
	void monoIsResubscribedNotInvokedAgain() {
		this.runner.run((context) -> {
			ReactiveService service = context.getBean(ReactiveService.class);

			assertThat(service.price("A-1").block()).isEqualTo("A-1 costs 9.99, attempt 3");
			assertThat(service.invocations()).isEqualTo(1);
			assertThat(service.subscriptions()).isEqualTo(3);
			assertThat(context.getBean(ManualClock.class).sleeps()).hasSize(2);
			assertThat(calls(context.getBean(MeterRegistry.class), "ReactiveService.price", "success_after_retry"))
				.isEqualTo(1);
		});
	}

	@Test
	void aMonoMethodIsCountedBeforeItsSubscriberHasTheValue() {
		this.runner.run((context) -> {
			ReactiveService service = context.getBean(ReactiveService.class);
			MeterRegistry meters = context.getBean(MeterRegistry.class);

			// What a WebFlux handler answering with the value, or a next call chained on it, would see.
			Double countedWhenAnswered = service.price("A-1")
				.map((price) -> calls(meters, "ReactiveService.price", "success_after_retry"))
				.block();

			assertThat(countedWhenAnswered).isEqualTo(1);
		});
	}

	@Test
	void exhaustedMonoFailsWithTheLastFailure() {
		this.runner.run((context) -> {
			ReactiveService service = context.getBean(ReactiveService.class);
			service.failures(10);

			Throwable failure = Flux.from(service.price("A-1")).materialize().blockLast().getThrowable();

			assertThat(failure).isInstanceOf(ConnectException.class).hasMessage("refused #3");
			assertThat(calls(context.getBean(MeterRegistry.class), "ReactiveService.price", "exhausted")).isEqualTo(1);
		});
	}

	@Test
	void fluxIsResubscribedFromItsStart() {
		this.runner.run((context) -> {
			ReactiveService service = context.getBean(ReactiveService.class);

			assertThat(service.lines().collectList().block()).containsExactly("line 1", "line 1", "line 1", "line 2");
			assertThat(service.subscriptions()).isEqualTo(3);
		});
	}

	@Test
	void openBreakerRejectsAMonoSubscriptionAndItsFallbackAnswers() {
		this.runner.run((context) -> {
			ReactiveService service = context.getBean(ReactiveService.class);

			for (int i = 0; i < 3; i++) {
				assertThat(service.breakerPrice("A-1").block()).isEqualTo("A-1 list price (ConnectException)");
			}

			assertThat(service.breakerPrice("A-1").block())
				.isEqualTo("A-1 list price (" + CircuitBreakerOpenException.class.getSimpleName() + ")");
			assertThat(service.subscriptions()).isEqualTo(3);
		});
	}

	@Test
	void schedulerIsADaemonPoolStoppedWithTheContextAndCanBeReplaced() {
		DaemonScheduler[] scheduler = new DaemonScheduler[1];
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class))
			.run((context) -> {
				scheduler[0] = context.getBean("retryScheduler", DaemonScheduler.class);
				assertThat(scheduler[0].isClosed()).isFalse();
			});
		assertThat(scheduler[0].isClosed()).as("closed with the context").isTrue();

		Scheduler own = (task, delayNanos) -> CompletableFuture.runAsync(task);
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class))
			.withBean(Scheduler.class, () -> own)
			.run((context) -> assertThat(context).getBean(Scheduler.class).isSameAs(own)
				.satisfies((bean) -> assertThat(context).doesNotHaveBean(DaemonScheduler.class)));
	}

	@Test
	void futuresAreRetriedWithoutReactorOnTheClasspath() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader("reactor."))
			.withPropertyValues("retry.circuit-breakers.inventory.failure-threshold=3")
			.withBean(ManualClock.class)
			.withBean(FutureService.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(FutureService.class).stock("A-1").get(5, TimeUnit.SECONDS))
					.isEqualTo("A-1: 12 in stock, attempt 3");
			});
	}

	private static double calls(MeterRegistry meters, String method, String outcome) {
		return meters.get("retry.calls").tag("method", method).tag("outcome", outcome).counter().count();
	}

}
