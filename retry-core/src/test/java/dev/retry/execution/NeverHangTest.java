package dev.retry.execution;

import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CancellationException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.CircuitBreakerOpenException;
import dev.retry.RetryExhaustedException;
import dev.retry.backoff.Jitter;
import dev.retry.breaker.CircuitBreaker;
import dev.retry.breaker.CircuitBreakerConfig;
import dev.retry.breaker.State;
import dev.retry.classify.HttpStatusResolver;
import dev.retry.event.CallTarget;
import dev.retry.event.Outcome;
import dev.retry.event.RetryListener;
import dev.retry.policy.OnExhausted;
import dev.retry.policy.RetryPolicy;
import dev.retry.policy.RetryPolicyBuilder;
import dev.retry.time.DaemonScheduler;
import dev.retry.time.ManualClock;
import dev.retry.time.Scheduler;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * Regression tests for the hard cases of "never hang, never wedge, never leak": every call ends,
 * whatever the scheduler, listeners, resolvers or the caller do, and a breaker's trial permits
 * always come back.
 */
class NeverHangTest {

	private final ManualClock clock = new ManualClock();

	private final RecordingListener recorder = new RecordingListener();

	private RetryRuntime runtime(Scheduler scheduler) {
		return RetryRuntime.defaults()
			.withSleeper(this.clock)
			.withTicker(this.clock)
			.withRandom(() -> 0.0)
			.withScheduler(scheduler)
			.withListeners(List.of(this.recorder));
	}

	private static RetryPolicyBuilder network() {
		return RetryPolicy.builder("network").jitter(Jitter.NONE).baseDelay(Duration.ofSeconds(1));
	}

	private static <C> Attempt<C, CompletionStage<String>> refused() {
		return (context, attempt) -> CompletableFuture.failedFuture(new ConnectException("refused #" + attempt));
	}

	private CircuitBreaker halfOpenBreaker(CircuitBreakerConfig.Builder config) {
		CircuitBreaker breaker = new CircuitBreaker(config.build(), this.clock, HttpStatusResolver.NONE, List.of());
		breaker.onFailure(breaker.tryAcquire(), new ConnectException("down"), 0);
		this.clock.advance(Duration.ofMinutes(2));
		return breaker;
	}

	private static CircuitBreakerConfig.Builder oneFailureOpens() {
		return CircuitBreakerConfig.builder("inventory").failureThreshold(1).openDuration(Duration.ofMinutes(1));
	}

	@Test
	void asyncCallWaitingForARetryEndsWithItsLastFailureWhenTheSchedulerCloses() {
		DaemonScheduler scheduler = new DaemonScheduler(1);
		RetryExecutor executor = RetryExecutor.builder("Inventory.fetch",
				network().baseDelay(Duration.ofHours(1)).maxDelay(Duration.ofHours(1)).build())
			.runtime(runtime(scheduler))
			.build();
		List<CompletableFuture<String>> calls = new ArrayList<>();
		for (int i = 0; i < 100; i++) {
			calls.add(executor.callAsync(null, refused(), null));
		}
		assertThat(scheduler.getQueuedTasks()).isEqualTo(100);

		scheduler.close();

		assertThat(calls).allSatisfy((call) -> {
			assertThat(call).isCompletedExceptionally();
			assertThat(catchThrowable(call::join)).hasCauseInstanceOf(ConnectException.class);
		});
		assertThat(this.recorder.events).contains("not_retryable after 1");
	}

	@Test
	void asyncCallEndsAtOnceWhenTheSchedulerIsAlreadyClosed() {
		Scheduler closed = (task, delay) -> {
			throw new RejectedExecutionException("closed");
		};
		RetryExecutor executor = RetryExecutor.builder("Inventory.fetch", network().build())
			.runtime(runtime(closed))
			.build();

		CompletableFuture<String> call = executor.callAsync(null, refused(), null);

		assertThat(catchThrowable(call::join)).hasCauseInstanceOf(ConnectException.class);
	}

	@Test
	void asyncCallWaitingForARetryIsAnsweredByItsFallbackWhenTheSchedulerCloses() {
		DaemonScheduler scheduler = new DaemonScheduler(1);
		RetryExecutor executor = RetryExecutor.builder("Inventory.fetch",
				network().baseDelay(Duration.ofHours(1)).maxDelay(Duration.ofHours(1)).build())
			.runtime(runtime(scheduler))
			.build();
		CompletableFuture<String> call = executor.callAsync(null, refused(), fallback("cached"));

		scheduler.close();

		assertThat(call).isCompletedWithValue("cached");
	}

	@Test
	void aRetryAfterResolverThatThrowsCountsAsNoHintForAsyncCalls() throws Exception {
		RetryExecutor executor = RetryExecutor.builder("Inventory.fetch", network().maxAttempts(3).build())
			.runtime(runtime(this.clock).withRetryAfter((failure, now) -> {
					throw new IllegalStateException("resolver bug");
				}))
			.build();

		CompletableFuture<String> call = executor.callAsync(null, refused(), null);

		assertThat(catchThrowable(() -> call.get(1, TimeUnit.SECONDS))).hasCauseInstanceOf(ConnectException.class);
		assertThat(this.clock.sleeps()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
	}

	@Test
	void aRetryAfterResolverThatThrowsNeverReplacesTheRealFailureOfASyncCall() {
		RetryExecutor executor = RetryExecutor.builder("Inventory.fetch", network().maxAttempts(2).build())
			.runtime(runtime(this.clock).withRetryAfter((failure, now) -> {
					throw new IllegalStateException("resolver bug");
				}))
			.build();

		Throwable thrown = catchThrowable(() -> executor.get(() -> {
			throw new ConnectException("refused");
		}));

		assertThat(thrown).isInstanceOf(ConnectException.class);
		assertThat(this.clock.sleeps()).containsExactly(Duration.ofSeconds(1));
	}

	@Test
	void aListenerThatThrowsAnErrorNeverLeavesAnAsyncCallIncomplete() throws Exception {
		RetryListener throwing = new RetryListener() {
			@Override
			public void onRetryScheduled(CallTarget target, int nextAttempt, int maxAttempts, Duration delay,
					Throwable failure) {
				throw new AssertionError("listener bug");
			}

			@Override
			public void onCompleted(CallTarget target, Outcome outcome, int attempts, @Nullable Throwable failure) {
				throw new AssertionError("listener bug");
			}
		};
		RetryExecutor executor = RetryExecutor.builder("Inventory.fetch", network().maxAttempts(3).build())
			.runtime(runtime(this.clock).withListeners(List.of(throwing)))
			.build();

		CompletableFuture<String> call = executor.callAsync(null, refused(), null);

		assertThat(catchThrowable(() -> call.get(1, TimeUnit.SECONDS))).hasCauseInstanceOf(ConnectException.class);
		assertThat(this.clock.sleeps()).hasSize(2);
	}

	@Test
	void cancellingAnAsyncCallTellsListenersAndNeverStartsTheNextAttempt() {
		List<Runnable> scheduled = new ArrayList<>();
		CompletableFuture<Void> timer = new CompletableFuture<>();
		RetryExecutor executor = RetryExecutor.builder("Inventory.fetch", network().build())
			.runtime(runtime((task, delay) -> {
			scheduled.add(task);
			return timer;
		}))
			.build();
		AtomicInteger attempts = new AtomicInteger();

		CompletableFuture<String> call = executor.callAsync(attempts, (count, attempt) -> {
			count.incrementAndGet();
			return CompletableFuture.failedFuture(new ConnectException("refused"));
		}, null);
		call.cancel(true);
		scheduled.forEach(Runnable::run);

		assertThat(timer).isCancelled();
		assertThat(attempts).hasValue(1);
		assertThat(this.recorder.events).containsExactly("retry 2/3 in PT1S after ConnectException", "cancelled after 1");
	}

	@Test
	void callerGivingUpWithOrTimeoutCancelsTheRunningAttemptAndReturnsTheHalfOpenPermit() {
		CircuitBreaker breaker = halfOpenBreaker(oneFailureOpens());
		RetryExecutor executor = RetryExecutor.builder("Inventory.fetch", network().build())
			.classifier(new dev.retry.classify.FailureClassifier(network().build(), HttpStatusResolver.NONE))
			.runtime(runtime(this.clock))
			.breaker(breaker)
			.build();
		CompletableFuture<String> hung = new CompletableFuture<>();

		CompletableFuture<String> call = executor.callAsync(null, (context, attempt) -> hung, null);
		call.orTimeout(10, TimeUnit.MILLISECONDS);

		await().atMost(Duration.ofSeconds(2)).until(call::isDone);
		assertThat(catchThrowable(call::join)).hasCauseInstanceOf(TimeoutException.class);
		assertThat(hung).isCancelled();
		assertThat(breaker.getState()).isEqualTo(State.HALF_OPEN);
		assertThat(breaker.tryAcquire()).as("the trial permit came back").isNotNull();
	}

	@Test
	void cancellingAFallbackWrappedFutureReachesTheAttempt() {
		CircuitBreaker breaker = halfOpenBreaker(oneFailureOpens());
		RetryExecutor executor = RetryExecutor.breakerOnly("Inventory.fetch", breaker, runtime(this.clock));
		CompletableFuture<String> hung = new CompletableFuture<>();

		CompletableFuture<String> call = executor.callAsync(null, (context, attempt) -> hung, fallback("cached"));
		call.cancel(true);

		assertThat(hung).isCancelled();
		assertThat(breaker.tryAcquire()).as("the trial permit came back").isNotNull();
	}

	@Test
	void aHungTrialCountsAsFailedAfterHalfOpenMaxWait() {
		CircuitBreaker breaker = halfOpenBreaker(oneFailureOpens().halfOpenMaxWait(Duration.ofSeconds(30)));
		RetryExecutor executor = RetryExecutor.breakerOnly("Inventory.fetch", breaker, runtime(this.clock));
		executor.callAsync(null, (context, attempt) -> new CompletableFuture<String>(), null);
		assertThat(breaker.tryAcquire()).as("the one trial is running").isNull();

		this.clock.advance(Duration.ofSeconds(30));

		assertThat(breaker.tryAcquire()).isNull();
		assertThat(breaker.getState()).isEqualTo(State.OPEN);
		this.clock.advance(Duration.ofMinutes(1));
		assertThat(breaker.tryAcquire()).as("half-open again: a new trial may go").isNotNull();
	}

	@Test
	void anInterruptedAttemptAnsweredByACatchAllFallbackLeavesTheInterruptFlagSet() throws Throwable {
		RetryExecutor executor = RetryExecutor.builder("Inventory.fetch", network().build())
			.runtime(runtime(this.clock))
			.build();
		try {
			Object answer = executor.call(null, (context, attempt) -> {
				throw new InterruptedException("stop");
			}, fallback("cached"));

			assertThat(answer).isEqualTo("cached");
			assertThat(Thread.currentThread().isInterrupted()).isTrue();
		}
		finally {
			Thread.interrupted();
		}
	}

	@Test
	void anAsyncCallIgnoresTheInterruptFlagOfThePoolThreadThatCompletedItsStage() throws Exception {
		RetryExecutor executor = RetryExecutor.builder("Inventory.fetch", network().maxAttempts(3).build())
			.runtime(runtime(this.clock))
			.build();
		AtomicInteger attempts = new AtomicInteger();

		CompletableFuture<String> call = executor.callAsync(attempts, (count, attempt) -> {
			CompletableFuture<String> stage = new CompletableFuture<>();
			Thread pool = new Thread(() -> {
				Thread.currentThread().interrupt();
				if (count.incrementAndGet() < 3) {
					stage.completeExceptionally(new ConnectException("refused"));
				}
				else {
					stage.complete("ok");
				}
			});
			pool.start();
			return stage;
		}, null);

		assertThat(call.get(2, TimeUnit.SECONDS)).isEqualTo("ok");
		assertThat(attempts).hasValue(3);
	}

	@Test
	void wrapKeepsTheFirstAndTheMostRecentFailuresOnlyTenInAll() {
		RetryExecutor executor = RetryExecutor.builder("Inventory.fetch",
				network().maxAttempts(50_000).baseDelay(Duration.ZERO).maxDelay(Duration.ZERO)
					.onExhausted(OnExhausted.WRAP).build())
			.runtime(runtime(this.clock).withListeners(List.of()))
			.build();
		AtomicInteger attempts = new AtomicInteger();

		Throwable thrown = catchThrowable(() -> executor.get(() -> {
			throw new ConnectException("refused #" + attempts.incrementAndGet());
		}));

		assertThat(thrown).isInstanceOf(RetryExhaustedException.class).hasMessageContaining("refused #50000");
		assertThat(thrown.getSuppressed()).hasSize(10);
		assertThat(thrown.getSuppressed()[0]).hasMessage("refused #1");
		assertThat(thrown.getSuppressed()[9]).hasMessage("refused #49999");
		assertThat(thrown.getSuppressed()[1]).hasMessage("refused #49991");
	}

	@Test
	void aRetryStoppedByAnOpenBreakerKeepsTheRealFailureAsCause() {
		CircuitBreaker breaker = new CircuitBreaker(oneFailureOpens().build(), this.clock, HttpStatusResolver.NONE,
				List.of());
		RetryExecutor executor = RetryExecutor.builder("Inventory.fetch", network().build())
			.classifier(new dev.retry.classify.FailureClassifier(network().build(), HttpStatusResolver.NONE))
			.runtime(runtime(this.clock))
			.breaker(breaker)
			.build();

		Throwable thrown = catchThrowable(() -> executor.get(() -> {
			throw new ConnectException("refused");
		}));

		assertThat(thrown).isInstanceOf(CircuitBreakerOpenException.class).hasCauseInstanceOf(ConnectException.class);
		assertThat(this.recorder.events).containsExactly("rejected after 1");
	}

	@Test
	void aRetryRejectedByTheBreakerKeepsTheRealFailureAsCause() {
		// The breaker is shared: another method opens it while this call waits.
		CircuitBreaker breaker = new CircuitBreaker(CircuitBreakerConfig.builder("inventory").failureThreshold(100)
			.build(), this.clock, HttpStatusResolver.NONE, List.of());
		RetryExecutor executor = RetryExecutor.builder("Inventory.fetch", network().build())
			.classifier(new dev.retry.classify.FailureClassifier(network().build(), HttpStatusResolver.NONE))
			.runtime(runtime(this.clock).withSleeper((nanos) -> breaker.forceOpen()))
			.breaker(breaker)
			.build();

		Throwable thrown = catchThrowable(() -> executor.get(() -> {
			throw new ConnectException("refused");
		}));

		assertThat(thrown).isInstanceOf(CircuitBreakerOpenException.class).hasCauseInstanceOf(ConnectException.class);
	}

	@Test
	void aCancelledAttemptInABreakerOnlyCallIsNeutral() {
		CircuitBreaker breaker = halfOpenBreaker(oneFailureOpens());
		RetryExecutor executor = RetryExecutor.breakerOnly("Inventory.fetch", breaker, runtime(this.clock));
		CompletableFuture<String> attempt = new CompletableFuture<>();

		CompletableFuture<String> call = executor.callAsync(null, (context, n) -> attempt, null);
		attempt.cancel(false);

		assertThat(catchThrowable(call::join)).isInstanceOf(CancellationException.class);
		assertThat(breaker.getState()).isEqualTo(State.HALF_OPEN);
		assertThat(breaker.getFailureCount()).isEqualTo(1);
	}

	private static <C> Fallback<C> fallback(String answer) {
		return new Fallback<>() {
			@Override
			public boolean handles(Throwable failure) {
				return true;
			}

			@Override
			public Object apply(C context, Throwable failure) {
				return answer;
			}

			@Override
			@SuppressWarnings("unchecked")
			public <T> CompletionStage<T> applyAsync(C context, Throwable failure) {
				return CompletableFuture.completedFuture((T) answer);
			}
		};
	}

}
