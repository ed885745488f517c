package dev.retry.execution;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;

import dev.retry.CircuitBreakerOpenException;
import dev.retry.RetryExhaustedException;
import dev.retry.backoff.Backoff;
import dev.retry.breaker.CircuitBreaker;
import dev.retry.budget.RetryBudget;
import dev.retry.classify.FailureClassifier;
import dev.retry.classify.RetryAfterResolver;
import dev.retry.event.CallTarget;
import dev.retry.event.Outcome;
import dev.retry.event.RetryListener;
import dev.retry.policy.OnExhausted;
import dev.retry.policy.RetryPolicy;
import dev.retry.time.Sleeper;
import dev.retry.time.Ticker;
import org.jspecify.annotations.Nullable;

/**
 * Runs calls of one method under one policy. Immutable and thread-safe: build one per method, once,
 * and share it. A call whose first attempt succeeds allocates nothing here.
 *
 * <pre>{@code
 * RetryExecutor executor = new RetryExecutor("Inventory.fetch", RetryPolicy.builder("network").build(),
 *         RetryRuntime.defaults());
 * Item item = executor.get(() -> client.fetch(sku));
 * }</pre>
 */
public final class RetryExecutor {

	private final CallTarget target;

	private final RetryPolicy policy;

	private final FailureClassifier classifier;

	private final int maxAttempts;

	private final Backoff backoff;

	private final long maxDurationNanos;

	private final boolean wrap;

	private final Sleeper sleeper;

	private final Ticker ticker;

	private final DoubleSupplier random;

	private final RetryListener[] listeners;

	private final @Nullable CircuitBreaker breaker;

	private final @Nullable RetryBudget budget;

	private final @Nullable RetryAfterResolver retryAfter;

	private final long maxDelayNanos;

	/**
	 * @param name the method, as {@code SimpleClassName.method}
	 * @param policy the retry policy
	 * @param classifier decides which failures are retried
	 * @param runtime sleeping, time, randomness and listeners
	 * @param breaker the circuit breaker every attempt passes through, or {@code null}
	 * @param budget the retry budget of the policy, shared by every executor using it, or {@code null}
	 */
	public RetryExecutor(String name, RetryPolicy policy, FailureClassifier classifier, RetryRuntime runtime,
			@Nullable CircuitBreaker breaker, @Nullable RetryBudget budget) {
		this.target = new CallTarget(name, policy.getName());
		this.policy = policy;
		this.classifier = classifier;
		this.maxAttempts = policy.getMaxAttempts();
		this.backoff = policy.getBackoff();
		this.maxDurationNanos = policy.getMaxDuration().toNanos();
		this.wrap = policy.getOnExhausted() == OnExhausted.WRAP;
		this.sleeper = runtime.sleeper();
		this.ticker = runtime.ticker();
		this.random = runtime.random();
		this.listeners = runtime.listeners().stream().map((listener) -> listener.forTarget(this.target))
			.toArray(RetryListener[]::new);
		this.breaker = breaker;
		this.budget = budget;
		this.retryAfter = (policy.isRespectRetryAfter() && runtime.retryAfter() != RetryAfterResolver.NONE)
				? runtime.retryAfter() : null;
		this.maxDelayNanos = policy.getMaxDelay().toNanos();
	}

	/**
	 * An executor with a budget of its own, when the policy sets one.
	 * @param breaker the circuit breaker every attempt passes through, or {@code null}
	 */
	public RetryExecutor(String name, RetryPolicy policy, FailureClassifier classifier, RetryRuntime runtime,
			@Nullable CircuitBreaker breaker) {
		this(name, policy, classifier, runtime, breaker, RetryBudget.of(policy.getBudget(), runtime.ticker()));
	}

	public RetryExecutor(String name, RetryPolicy policy, FailureClassifier classifier, RetryRuntime runtime) {
		this(name, policy, classifier, runtime, null);
	}

	public RetryExecutor(String name, RetryPolicy policy, RetryRuntime runtime) {
		this(name, policy, new FailureClassifier(policy, runtime.statusResolver()), runtime);
	}

	public CallTarget getTarget() {
		return this.target;
	}

	public RetryPolicy getPolicy() {
		return this.policy;
	}

	/** The retry budget this executor draws from, if any. */
	public @Nullable RetryBudget getBudget() {
		return this.budget;
	}

	/** The circuit breaker each attempt passes through, if any. */
	public @Nullable CircuitBreaker getBreaker() {
		return this.breaker;
	}

	/** Runs a call without context or fallback. */
	public <T> T get(CheckedSupplier<T> supplier) throws Throwable {
		return call(supplier, (s, n) -> s.get(), null);
	}

	/**
	 * Runs a call: attempts it, and on a retryable failure waits and attempts again, until it
	 * succeeds, the failure is permanent, or the policy allows no more.
	 * @param context passed to each attempt and to the fallback
	 * @param attempt one attempt of the call
	 * @param fallback answers instead of the final failure, when it handles it; may be {@code null}
	 * @return the result of the first successful attempt, or the fallback's
	 * @throws Throwable the last failure unchanged, or a {@link RetryExhaustedException} with
	 * {@code on-exhausted: wrap}
	 */
	public <C, T> T call(C context, Attempt<C, T> attempt, @Nullable Fallback<? super C> fallback) throws Throwable {
		long start = (this.maxDurationNanos > 0) ? this.ticker.nanoTime() : 0L;
		if (this.budget != null) {
			this.budget.recordCall();
		}
		RetryContext retryContext = RetryContext.enter(this.target, this.maxAttempts);
		try {
			T result;
			try {
				result = run(context, attempt, 1);
			}
			catch (Throwable failure) {
				return retry(context, attempt, fallback, retryContext, failure, start);
			}
			if (this.listeners.length > 0) {
				completed(Outcome.SUCCESS, 1, null);
			}
			return result;
		}
		finally {
			RetryContext.exit(retryContext);
		}
	}

	private <C, T> T retry(C context, Attempt<C, T> attempt, @Nullable Fallback<? super C> fallback,
			RetryContext retryContext, Throwable firstFailure, long start) throws Throwable {
		Throwable failure = firstFailure;
		List<Throwable> earlier = null;
		long previousDelay = 0;
		for (int attempted = 1;; attempted++) {
			Outcome stop = stopReason(failure, attempted);
			long delay = 0;
			if (stop == null) {
				delay = this.backoff.delayNanos(attempted, previousDelay, this.random.getAsDouble());
				if (this.retryAfter != null) {
					delay = honourRetryAfter(failure, delay);
				}
				if (this.maxDurationNanos > 0 && this.ticker.nanoTime() - start + delay > this.maxDurationNanos) {
					stop = Outcome.DEADLINE_EXCEEDED;
				}
			}
			if (stop != null) {
				// A rejected attempt was never made.
				return finish(context, fallback, stop, (stop == Outcome.REJECTED) ? attempted - 1 : attempted,
						failure, earlier);
			}
			if (this.breaker != null && this.breaker.staysOpenFor(delay)) {
				// The next attempt would be rejected: do not wait for it.
				return finish(context, fallback, Outcome.REJECTED, attempted, this.breaker.reject(), earlier);
			}
			if (this.budget != null && !this.budget.tryAcquireRetry()) {
				return finish(context, fallback, Outcome.BUDGET_EXHAUSTED, attempted, failure, earlier);
			}
			retryScheduled(attempted + 1, delay, failure);
			try {
				this.sleeper.sleep(delay);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return finish(context, fallback, Outcome.NOT_RETRYABLE, attempted, failure, earlier);
			}
			previousDelay = delay;
			retryContext.nextAttempt(attempted + 1, failure);
			try {
				T result = run(context, attempt, attempted + 1);
				completed(Outcome.SUCCESS_AFTER_RETRY, attempted + 1, null);
				return result;
			}
			catch (Throwable next) {
				if (this.wrap) {
					earlier = (earlier != null) ? earlier : new ArrayList<>(this.maxAttempts);
					earlier.add(failure);
				}
				failure = next;
			}
		}
	}

	private <C, T> T run(C context, Attempt<C, T> attempt, int number) throws Throwable {
		return (this.breaker != null) ? this.breaker.execute(context, attempt, number) : attempt.run(context, number);
	}

	/** The larger of the computed delay and the wait the failure asks for, capped at max-delay. */
	private long honourRetryAfter(Throwable failure, long delay) {
		Duration asked = RetryAfterResolver.alongCauses(this.retryAfter, failure, this.ticker.wallTime());
		if (asked == null) {
			return delay;
		}
		long askedNanos = (asked.getSeconds() >= Long.MAX_VALUE / 1_000_000_000L) ? Long.MAX_VALUE : asked.toNanos();
		return Math.min(Math.max(askedNanos, delay), this.maxDelayNanos);
	}

	/** Why no further attempt is made after this failure, or {@code null} to go on. */
	private @Nullable Outcome stopReason(Throwable failure, int attempted) {
		if (failure instanceof CircuitBreakerOpenException) {
			return Outcome.REJECTED;
		}
		if (failure instanceof InterruptedException || Thread.currentThread().isInterrupted()) {
			return Outcome.NOT_RETRYABLE;
		}
		if (!this.classifier.isRetryable(failure)) {
			return Outcome.NOT_RETRYABLE;
		}
		if (attempted >= this.maxAttempts) {
			return Outcome.EXHAUSTED;
		}
		return null;
	}

	@SuppressWarnings("unchecked")
	private <C, T> T finish(C context, @Nullable Fallback<? super C> fallback, Outcome outcome, int attempts,
			Throwable failure, @Nullable List<Throwable> earlier) throws Throwable {
		completed(outcome, attempts, failure);
		if (fallback != null && fallback.handles(failure)) {
			return (T) fallback.apply(context, failure);
		}
		if (outcome == Outcome.EXHAUSTED && this.wrap) {
			RetryExhaustedException exhausted = new RetryExhaustedException(this.target.name(), attempts, failure);
			if (earlier != null) {
				earlier.forEach(exhausted::addSuppressed);
			}
			throw exhausted;
		}
		throw failure;
	}

	private void retryScheduled(int nextAttempt, long delayNanos, Throwable failure) {
		if (this.listeners.length == 0) {
			return;
		}
		Duration delay = Duration.ofNanos(delayNanos);
		for (RetryListener listener : this.listeners) {
			try {
				listener.onRetryScheduled(this.target, nextAttempt, this.maxAttempts, delay, failure);
			}
			catch (RuntimeException ex) {
				// A listener never fails the call.
			}
		}
	}

	private void completed(Outcome outcome, int attempts, @Nullable Throwable failure) {
		for (RetryListener listener : this.listeners) {
			try {
				listener.onCompleted(this.target, outcome, attempts, failure);
			}
			catch (RuntimeException ex) {
				// A listener never fails the call.
			}
		}
	}

	/** A call that may throw anything. */
	@FunctionalInterface
	public interface CheckedSupplier<T> {

		T get() throws Throwable;

	}

}
