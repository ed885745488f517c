package dev.retry.autoconfigure;

import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.retry.annotation.CircuitBreaker;
import dev.retry.annotation.Retryable;
import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.autoconfigure.metrics.RetryMetricsAutoConfiguration;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Under load every call is counted exactly once; on shutdown every waiting call ends. */
class SoakAndShutdownTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class, RetryMetricsAutoConfiguration.class))
		.withBean(SimpleMeterRegistry.class);

	@Test
	void underThirtyTwoThreadsTheMetersAndTheBreakerCountEveryCallExactlyOnce() {
		this.runner.withBean(FlakyTarget.class)
			.withPropertyValues("retry.policies.soak.base-delay=0", "retry.policies.soak.max-delay=0",
					"retry.policies.soak.max-attempts=3", "retry.circuit-breakers.soak.failure-threshold=3",
					"retry.circuit-breakers.soak.open-duration=1ms")
			.run((context) -> {
				FlakyTarget target = context.getBean(FlakyTarget.class);
				int threads = 32;
				int callsPerThread = 20_000;
				ExecutorService pool = Executors.newFixedThreadPool(threads);
				List<Future<?>> workers = new ArrayList<>();
				for (int t = 0; t < threads; t++) {
					workers.add(pool.submit(() -> {
						for (int i = 0; i < callsPerThread; i++) {
							try {
								target.call();
							}
							catch (Exception expected) {
								// Exhausted, rejected: counted below.
							}
						}
					}));
				}
				for (Future<?> worker : workers) {
					worker.get(2, TimeUnit.MINUTES);
				}
				pool.shutdown();

				MeterRegistry meters = context.getBean(MeterRegistry.class);
				double calls = meters.find("retry.calls").counters().stream().mapToDouble(Counter::count).sum();
				double attempts = meters.find("retry.attempts")
					.meters()
					.stream()
					.mapToDouble((meter) -> meter.measure().iterator().next().getValue())
					.sum();
				dev.retry.breaker.CircuitBreaker breaker = context.getBean(CircuitBreakerRegistry.class).find("soak");
				assertThat(calls).isEqualTo(threads * callsPerThread);
				assertThat(attempts).isEqualTo(target.invocations());
				assertThat(breaker.getSuccessCount() + breaker.getFailureCount() + breaker.getIgnoredCount())
					.isEqualTo(target.invocations());
				assertThat(target.failures()).isPositive();
			});
	}

	@Test
	void closingTheContextEndsAThousandWaitingAsyncCallsAtOnceAndLeavesNoThread() {
		List<CompletableFuture<String>> waiting = new ArrayList<>();
		this.runner.withBean(SlowRetryTarget.class)
			.withPropertyValues("retry.policies.patient.base-delay=1h", "retry.policies.patient.max-delay=1h")
			.run((context) -> {
				SlowRetryTarget target = context.getBean(SlowRetryTarget.class);
				for (int i = 0; i < 1_000; i++) {
					waiting.add(target.call());
				}
				assertThat(waiting).noneMatch(CompletableFuture::isDone);
				long closing = System.nanoTime();

				context.getSourceApplicationContext().close();

				await().atMost(Duration.ofSeconds(2)).until(() -> waiting.stream().allMatch(CompletableFuture::isDone));
				assertThat(Duration.ofNanos(System.nanoTime() - closing)).isLessThan(Duration.ofSeconds(2));
				assertThat(waiting).allSatisfy((call) -> assertThat(call).isCompletedExceptionally());
			});
		await().atMost(Duration.ofSeconds(2)).until(() -> Thread.getAllStackTraces().keySet().stream()
			.noneMatch((thread) -> thread.getName().startsWith("retry-scheduler")));
	}

	@Test
	void closingTheContextEndsASynchronousCallSleepingBeforeItsRetry() {
		this.runner.withBean(SleepyTarget.class)
			.withPropertyValues("retry.policies.patient.base-delay=1h", "retry.policies.patient.max-delay=1h")
			.run((context) -> {
				SleepyTarget target = context.getBean(SleepyTarget.class);
				CompletableFuture<Throwable> caller = CompletableFuture.supplyAsync(() -> {
					try {
						target.call();
						return null;
					}
					catch (Throwable failure) {
						return failure;
					}
				});
				await().atMost(Duration.ofSeconds(5)).until(() -> target.invocations() == 1);
				await().atMost(Duration.ofSeconds(5)).until(() -> target.caller() != null
						&& target.caller().getState() == Thread.State.TIMED_WAITING);

				context.getSourceApplicationContext().close();

				assertThat(caller.get(2, TimeUnit.SECONDS)).isInstanceOf(ConnectException.class);
				assertThat(target.invocations()).as("no attempt after the shutdown").isEqualTo(1);
			});
	}

	public static class SleepyTarget {

		private final AtomicLong invocations = new AtomicLong();

		private volatile Thread caller;

		public long invocations() {
			return this.invocations.get();
		}

		public Thread caller() {
			return this.caller;
		}

		@Retryable(policy = "patient")
		public String call() throws ConnectException {
			this.caller = Thread.currentThread();
			this.invocations.incrementAndGet();
			throw new ConnectException("refused");
		}

	}

	public static class FlakyTarget {

		private final AtomicLong invocations = new AtomicLong();

		private final AtomicLong failures = new AtomicLong();

		public long invocations() {
			return this.invocations.get();
		}

		public long failures() {
			return this.failures.get();
		}

		@Retryable(policy = "soak")
		@CircuitBreaker(name = "soak")
		public String call() throws ConnectException {
			this.invocations.incrementAndGet();
			if (ThreadLocalRandom.current().nextInt(100) < 5) {
				this.failures.incrementAndGet();
				throw new ConnectException("refused");
			}
			return "ok";
		}

	}

	public static class SlowRetryTarget {

		@Retryable(policy = "patient")
		public CompletableFuture<String> call() {
			return CompletableFuture.failedFuture(new ConnectException("refused"));
		}

	}

}
