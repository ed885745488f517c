package dev.retry.execution;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import dev.retry.backoff.Jitter;
import dev.retry.classify.FailureClassifier;
import dev.retry.classify.HttpStatusResolver;
import dev.retry.event.AttemptResult;
import dev.retry.event.CallObserver;
import dev.retry.event.CallTarget;
import dev.retry.event.Outcome;
import dev.retry.event.RetryListener;
import dev.retry.policy.RetryPolicy;
import dev.retry.policy.RetryPolicyBuilder;
import dev.retry.time.DaemonScheduler;
import dev.retry.time.ManualClock;
import org.jspecify.annotations.Nullable;

/**
 * What tests of attempt timeouts, hedges and attempt observations share: a manual clock for the
 * backoff between attempts, a real watchdog (timeouts and hedge delays are sub-second), and what
 * the listeners and the observer were told: {@code events} ({@code "hedge won"},
 * {@code "cancelled after 1"}, {@code "success after 2"}) and {@code attemptResults}, the
 * {@code result} each attempt observation ended with, as the {@code retry.attempt} observation
 * tags it. Close it after each test.
 */
final class TimedCalls implements AutoCloseable {

	final ManualClock clock = new ManualClock();

	final DaemonScheduler watchdog = new DaemonScheduler(2);

	final List<String> events = new CopyOnWriteArrayList<>();

	final List<String> attemptResults = new CopyOnWriteArrayList<>();

	final RetryListener recorder = new RetryListener() {
		@Override
		public void onHedgeEnded(CallTarget target, boolean won) {
			TimedCalls.this.events.add(won ? "hedge won" : "hedge lost");
		}

		@Override
		public void onCancelled(CallTarget target, int attempts) {
			TimedCalls.this.events.add("cancelled after " + attempts);
		}

		@Override
		public void onCompleted(CallTarget target, Outcome outcome, int attempts, @Nullable Throwable failure) {
			TimedCalls.this.events.add(outcome.tag() + " after " + attempts);
		}
	};

	final CallObserver observer = new CallObserver() {
		@Override
		public Call start(CallTarget target, @Nullable Object parent) {
			return new Call() {
				@Override
				public Scope open() {
					return () -> {
					};
				}

				@Override
				public ObservedAttempt attempt(int number) {
					return new ObservedAttempt() {
						@Override
						public Scope open() {
							return () -> {
							};
						}

						@Override
						public void end(@Nullable Throwable failure) {
							TimedCalls.this.attemptResults.add(AttemptResult.of(failure).tag());
						}
					};
				}

				@Override
				public void waiting(int nextAttempt, Duration delay, Throwable failure, String reason) {
				}

				@Override
				public void end(Outcome outcome, int attempts, @Nullable Throwable failure) {
				}

				@Override
				public void cancelled(int attempts) {
				}
			};
		}
	};

	RetryRuntime runtime() {
		return RetryRuntime.defaults()
			.withSleeper(this.clock)
			.withTicker(this.clock)
			.withScheduler(this.clock)
			.withWatchdog(this.watchdog)
			.withRandom(() -> 0.0)
			.withListeners(List.of(this.recorder))
			.withObserver(this.observer);
	}

	/** The network policy without backoff: retries follow at once. */
	static RetryPolicyBuilder policy() {
		return RetryPolicy.builder("network").jitter(Jitter.NONE).baseDelay(Duration.ZERO).maxDelay(Duration.ZERO);
	}

	RetryExecutor executor(RetryPolicyBuilder policy) {
		return executor(policy, runtime(), null);
	}

	RetryExecutor executor(RetryPolicyBuilder policy, RetryRuntime runtime, @Nullable Predicate<Object> retryOnResult) {
		RetryPolicy built = policy.build();
		return RetryExecutor.builder("Stock.fetch", built)
			.classifier(new FailureClassifier(built, HttpStatusResolver.NONE))
			.runtime(runtime)
			.retryOnResult(retryOnResult)
			.build();
	}

	/**
	 * Waits until the listeners were told exactly these events: a hedge still subscribing as its
	 * race ended is reported by its own thread, after the caller may have had the answer.
	 */
	void awaitEvents(String... expected) {
		org.awaitility.Awaitility.await()
			.atMost(Duration.ofSeconds(2))
			.untilAsserted(() -> org.assertj.core.api.Assertions.assertThat(this.events).containsExactly(expected));
	}

	@Override
	public void close() {
		this.watchdog.close();
	}

}
