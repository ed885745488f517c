package dev.retry.execution;

import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.CircuitBreakerOpenException;
import dev.retry.RetryExhaustedException;
import dev.retry.backoff.Jitter;
import dev.retry.breaker.CircuitBreaker;
import dev.retry.breaker.CircuitBreakerConfig;
import dev.retry.breaker.State;
import dev.retry.classify.FailureClassifier;
import dev.retry.classify.HttpStatusResolver;
import dev.retry.policy.OnExhausted;
import dev.retry.policy.RetryPolicy;
import dev.retry.policy.RetryPolicyBuilder;
import dev.retry.time.DaemonScheduler;
import dev.retry.time.ManualClock;
import dev.retry.time.Scheduler;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/** Calls returning a {@link CompletionStage}: waits are scheduled, never slept. */
class AsyncRetryTest {

	private final ManualClock clock = new ManualClock();

	private final RecordingListener recorder = new RecordingListener();

	private final List<String> events = this.recorder.events;

	private RetryRuntime runtime(Scheduler scheduler) {
		return RetryRuntime.defaults()
			.withSleeper((nanos) -> {
				throw new AssertionError("an asynchronous call must not sleep a thread");
			})
			.withTicker(this.clock)
			.withRandom(() -> 0.0)
			.withScheduler(scheduler)
			.withListeners(List.of(this.recorder));
	}

	private RetryExecutor executor(RetryPolicyBuilder policy, Scheduler scheduler) {
		return RetryExecutor.builder("Inventory.fetch", policy.build())
			.runtime(runtime(scheduler))
			.build();
	}

	private static RetryPolicyBuilder network() {
		return RetryPolicy.builder("network").jitter(Jitter.NONE);
	}

	/** Fails with a new ConnectException until attempt {@code succeedOn}, counting attempts. */
	private static Attempt<AtomicInteger, CompletionStage<String>> failingUntil(int succeedOn) {
		return (calls, attempt) -> {
			int call = calls.incrementAndGet();
			return (call < succeedOn) ? CompletableFuture.failedFuture(new ConnectException("refused #" + call))
					: CompletableFuture.completedFuture("ok after " + call);
		};
	}

	@Test
	void failedFutureIsRetriedWithScheduledBackoffUntilSuccess() throws Exception {
		RetryExecutor executor = executor(network().maxAttempts(4), this.clock);
		AtomicInteger calls = new AtomicInteger();

		CompletableFuture<String> result = executor.callAsync(calls, failingUntil(4), null);

		assertThat(result.get(1, TimeUnit.SECONDS)).isEqualTo("ok after 4");
		assertThat(this.clock.sleeps()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2),
				Duration.ofSeconds(4));
		assertThat(this.events).containsExactly("retry 2/4 in PT1S after ConnectException",
				"retry 3/4 in PT2S after ConnectException", "retry 4/4 in PT4S after ConnectException",
				"success_after_retry after 4");
		assertThat(this.recorder.contextAttempts).as("listeners see the call's context, on whatever thread")
			.containsExactly(1, 2, 3);
	}

	@Test
	void exhaustedFutureFailsWithTheLastExceptionItself() {
		RetryExecutor executor = executor(network(), this.clock);
		List<ConnectException> thrown = new ArrayList<>();

		CompletableFuture<String> result = executor.callAsync(thrown, (list, attempt) -> {
			ConnectException ex = new ConnectException("refused #" + attempt);
			list.add(ex);
			// As CompletableFuture.supplyAsync delivers it: wrapped in a CompletionException.
			return CompletableFuture.supplyAsync(() -> {
				throw new CompletionException(ex);
			}, Runnable::run);
		}, null);

		Throwable failure = catchThrowable(result::get);
		assertThat(failure).isInstanceOf(ExecutionException.class);
		assertThat(failure.getCause()).as("the same exception the synchronous path throws").isSameAs(thrown.get(2));
		assertThat(thrown).hasSize(3);
		assertThat(this.events).last().isEqualTo("exhausted after 3");
	}

	@Test
	void exhaustedFutureWrapsWhenConfigured() {
		RetryExecutor executor = executor(network().onExhausted(OnExhausted.WRAP), this.clock);

		CompletableFuture<String> result = executor.callAsync(new AtomicInteger(), failingUntil(10), null);

		Throwable failure = catchThrowable(result::join);
		assertThat(failure.getCause()).isInstanceOf(RetryExhaustedException.class)
			.hasMessage("Inventory.fetch failed after 3 attempts: refused #3");
		assertThat(failure.getCause().getSuppressed()).extracting(Throwable::getMessage)
			.containsExactly("refused #1", "refused #2");
	}

	@Test
	void permanentFailureIsNotRetried() {
		RetryExecutor executor = executor(network(), this.clock);
		IllegalArgumentException invalid = new IllegalArgumentException("sku must not be blank");
		AtomicInteger calls = new AtomicInteger();

		CompletableFuture<String> result = executor.callAsync(calls, (c, attempt) -> {
			c.incrementAndGet();
			return CompletableFuture.failedFuture(invalid);
		}, null);

		assertThat(catchThrowable(result::join).getCause()).isSameAs(invalid);
		assertThat(calls).hasValue(1);
		assertThat(this.clock.sleeps()).isEmpty();
		assertThat(this.events).containsExactly("not_retryable after 1");
	}

	@Test
	void methodThrowingBeforeReturningAFutureIsAFailedAttempt() throws Exception {
		RetryExecutor executor = executor(network(), this.clock);
		AtomicInteger calls = new AtomicInteger();

		CompletableFuture<String> result = executor.callAsync(calls, (c, attempt) -> {
			if (c.incrementAndGet() == 1) {
				throw new ConnectException("refused before any future");
			}
			return CompletableFuture.completedFuture("ok");
		}, null);

		assertThat(result.get(1, TimeUnit.SECONDS)).isEqualTo("ok");
		assertThat(this.events).last().isEqualTo("success_after_retry after 2");
	}

	@Test
	void cancellingTheFutureWhileItWaitsStopsFurtherAttempts() {
		QueuedScheduler scheduler = new QueuedScheduler();
		RetryExecutor executor = executor(network(), scheduler);
		AtomicInteger calls = new AtomicInteger();

		CompletableFuture<String> result = executor.callAsync(calls, failingUntil(10), null);
		assertThat(scheduler.tasks).hasSize(1);

		assertThat(result.cancel(true)).isTrue();

		assertThat(scheduler.tasks.get(0).isCancelled()).as("the scheduled attempt is cancelled").isTrue();
		scheduler.runDue();
		assertThat(calls).as("no attempt after the cancellation").hasValue(1);
	}

	@Test
	void cancellingTheFutureCancelsTheRunningAttempt() {
		RetryExecutor executor = executor(network(), this.clock);
		CompletableFuture<String> running = new CompletableFuture<>();

		CompletableFuture<String> result = executor.callAsync(running, (r, attempt) -> r, null);
		result.cancel(true);

		assertThat(running).isCancelled();
		assertThat(this.events).as("a cancelled call has no outcome, only the cancellation").containsExactly("cancelled after 1");
	}

	@Test
	void fallbackAnswersWithAStageOfItsOwn() throws Exception {
		RetryExecutor executor = executor(network(), this.clock);
		Fallback<AtomicInteger> fallback = new Fallback<>() {

			@Override
			public boolean handles(Throwable failure) {
				return failure instanceof ConnectException;
			}

			@Override
			public Object apply(AtomicInteger calls, Throwable failure) {
				return CompletableFuture.completedFuture("cached after " + failure.getMessage());
			}

		};

		CompletableFuture<String> result = executor.callAsync(new AtomicInteger(), failingUntil(10), fallback);

		assertThat(result.get(1, TimeUnit.SECONDS)).isEqualTo("cached after refused #3");
	}

	@Test
	void openBreakerRejectsWithoutMakingAnAttempt() {
		CircuitBreaker breaker = new CircuitBreaker(CircuitBreakerConfig.builder("inventory").failureThreshold(3).build(),
				this.clock, HttpStatusResolver.NONE, List.of());
		RetryRuntime runtime = runtime(this.clock);
		RetryExecutor executor = RetryExecutor.builder("Inventory.fetch", network().build())
			.classifier(new FailureClassifier(network().build(), HttpStatusResolver.NONE))
			.runtime(runtime)
			.breaker(breaker)
			.build();
		AtomicInteger calls = new AtomicInteger();

		Throwable first = catchThrowable(executor.callAsync(calls, failingUntil(100), null)::join);
		Throwable second = catchThrowable(executor.callAsync(calls, failingUntil(100), null)::join);

		assertThat(first.getCause()).isInstanceOf(ConnectException.class);
		assertThat(breaker.getState()).isEqualTo(State.OPEN);
		assertThat(second.getCause()).isInstanceOf(CircuitBreakerOpenException.class);
		assertThat(calls).as("three attempts opened it; the rejected call reached nothing").hasValue(3);
		assertThat(this.events).containsSubsequence("exhausted after 3", "rejected after 0");
	}

	@Test
	void contextIsCurrentInTheMethodBodyOfEachAttemptAndKeepsAttributes() throws Exception {
		RetryExecutor executor = executor(network(), this.clock);
		List<String> seen = new CopyOnWriteArrayList<>();

		CompletableFuture<String> result = executor.callAsync(seen, (s, attempt) -> {
			RetryContext retry = RetryContext.current();
			int received = retry.computeAttributeIfAbsent("received", (k) -> new AtomicInteger()).addAndGet(10);
			s.add(retry.getAttempt() + "/" + retry.getMaxAttempts() + " received " + received);
			return (retry.getAttempt() < 3) ? CompletableFuture.failedFuture(new ConnectException("dropped"))
					: CompletableFuture.completedFuture("done");
		}, null);

		assertThat(result.get(1, TimeUnit.SECONDS)).isEqualTo("done");
		assertThat(seen).containsExactly("1/3 received 10", "2/3 received 20", "3/3 received 30");
		assertThat(RetryContext.find()).as("nothing left current on the caller's thread").isEmpty();
	}

	@Test
	void tenThousandConcurrentCallsWaitOnAFewThreadsForTheDelaysNotTheirSum() {
		int calls = 10_000;
		try (DaemonScheduler scheduler = new DaemonScheduler(2)) {
			RetryExecutor executor = RetryExecutor.builder("Inventory.fetch", network().exponentialBackoff(false)
				.baseDelay(Duration.ofMillis(50)).maxAttempts(3).build())
				.runtime(RetryRuntime.defaults().withScheduler(scheduler)
					.withSleeper((nanos) -> {
						throw new AssertionError("an asynchronous call must not sleep a thread");
					}))
				.build();
			AtomicInteger attempts = new AtomicInteger();
			Attempt<Object, CompletionStage<String>> failsTwice = (ignored, attempt) -> {
				attempts.incrementAndGet();
				return (attempt < 3) ? CompletableFuture.failedFuture(new ConnectException("refused"))
						: CompletableFuture.completedFuture("ok");
			};

			long start = System.nanoTime();
			List<CompletableFuture<String>> results = new ArrayList<>(calls);
			for (int i = 0; i < calls; i++) {
				results.add(executor.callAsync(null, failsTwice, null));
			}
			CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).join();
			Duration took = Duration.ofNanos(System.nanoTime() - start);

			assertThat(results).allSatisfy((result) -> assertThat(result).isCompletedWithValue("ok"));
			assertThat(attempts).hasValue(3 * calls);
			assertThat(scheduler.getLargestThreadCount()).as("threads that served the waits").isLessThanOrEqualTo(2);
			// Two 50 ms waits per call: 100 ms each, 1,000 s if they were slept one after another.
			assertThat(took).as("wall time").isGreaterThanOrEqualTo(Duration.ofMillis(100))
				.isLessThan(Duration.ofSeconds(5));
		}
	}

	/** Keeps scheduled tasks until the test runs them. */
	static final class QueuedScheduler implements Scheduler {

		final List<CompletableFuture<Void>> tasks = new CopyOnWriteArrayList<>();

		private final List<Runnable> runnables = new CopyOnWriteArrayList<>();

		@Override
		public Future<?> schedule(Runnable task, long delayNanos) {
			CompletableFuture<Void> handle = new CompletableFuture<>();
			this.tasks.add(handle);
			this.runnables.add(task);
			return handle;
		}

		/** Runs each task not cancelled. */
		void runDue() {
			for (int i = 0; i < this.tasks.size(); i++) {
				if (!this.tasks.get(i).isCancelled() && this.tasks.get(i).complete(null)) {
					this.runnables.get(i).run();
				}
			}
		}

	}

}
