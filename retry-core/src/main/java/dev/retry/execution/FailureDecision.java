package dev.retry.execution;

import java.time.Duration;
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
import dev.retry.internal.LoggedOnce;
import dev.retry.policy.OnExhausted;
import dev.retry.policy.RetryPolicy;
import dev.retry.time.Ticker;
import org.jspecify.annotations.Nullable;

/**
 * The one place that decides what follows a failed attempt, for every call style (synchronous,
 * asynchronous, reactive): whether the failure is retried (classification, max-attempts, an
 * interrupted caller), after which wait (backoff with jitter, Retry-After, max-delay), or why the
 * call ends instead (the deadline, a breaker that would reject the next attempt, the retry
 * budget); and, when it ends, what the caller gets (the last failure, it wrapped, or the
 * fallback's answer). Each style only runs what is decided here. One per executor, built with it;
 * it never throws: what a resolver or listener throws is logged once and ignored.
 */
final class FailureDecision {

	private final CallTarget target;

	private final FailureClassifier classifier;

	private final int maxAttempts;

	private final Backoff backoff;

	private final DoubleSupplier random;

	private final Ticker ticker;

	private final long maxDurationNanos;

	private final long maxDelayNanos;

	private final boolean wrap;

	private final @Nullable RetryAfterResolver retryAfter;

	private final @Nullable CircuitBreaker breaker;

	private final @Nullable RetryBudget budget;

	private final CallEvents events;

	private final LoggedOnce resolverFailure = new LoggedOnce("A RetryAfterResolver threw; treated as no hint");

	/**
	 * @param retryAfter reads the wait a failure asks for, or {@code null} when the policy ignores it
	 */
	FailureDecision(CallTarget target, RetryPolicy policy, FailureClassifier classifier, RetryRuntime runtime,
			@Nullable RetryAfterResolver retryAfter, @Nullable CircuitBreaker breaker, @Nullable RetryBudget budget,
			CallEvents events) {
		this.target = target;
		this.classifier = classifier;
		this.maxAttempts = policy.getMaxAttempts();
		this.backoff = policy.getBackoff();
		this.random = runtime.random();
		this.ticker = runtime.ticker();
		this.maxDurationNanos = policy.getMaxDuration().toNanos();
		this.maxDelayNanos = policy.getMaxDelay().toNanos();
		this.wrap = policy.getOnExhausted() == OnExhausted.WRAP;
		this.retryAfter = retryAfter;
		this.breaker = breaker;
		this.budget = budget;
		this.events = events;
	}

	/**
	 * A call starts: it counts toward the retry budget, and its deadline counts from now.
	 * @return where the call's deadline counts from, or 0 when the policy has none
	 */
	long callStarted() {
		if (this.budget != null) {
			this.budget.recordCall();
		}
		return (this.maxDurationNanos > 0) ? this.ticker.nanoTime() : 0L;
	}

	/**
	 * The attempt {@code call.attempted} failed: recorded in the call's progress (earlier failures
	 * kept under {@code on-exhausted: wrap}), and told to the listeners.
	 */
	void attemptFailed(CallProgress call, Throwable failure) {
		call.failed(failure, this.wrap);
		this.events.attemptFailed(call.attempted, failure);
	}

	/**
	 * Decides what follows the failed attempt {@code call.attempted}: either another attempt after
	 * {@code call.delay} (listeners are told, and {@code true} is returned), or the end of the call,
	 * with {@code call.stop} saying why.
	 */
	boolean planRetry(CallProgress call) {
		int attempted = call.attempted;
		Throwable failure = call.failure;
		Outcome stop = stopReason(failure, attempted, call.onCallerThread());
		long delay = 0;
		boolean hinted = false;
		if (stop == null) {
			delay = this.backoff.delayNanos(attempted, call.previousDelay, this.random.getAsDouble());
			if (this.retryAfter != null) {
				long backoff = delay;
				delay = honourRetryAfter(failure, delay);
				hinted = delay != backoff;
			}
			if (this.maxDurationNanos > 0 && this.ticker.nanoTime() - call.start + delay > this.maxDurationNanos) {
				stop = Outcome.DEADLINE_EXCEEDED;
			}
		}
		if (stop != null) {
			// A rejected attempt was never made.
			call.stop(stop, (stop == Outcome.REJECTED) ? attempted - 1 : attempted);
			return false;
		}
		if (this.breaker != null && this.breaker.staysOpenFor(delay)) {
			// The next attempt would be rejected: do not wait for it.
			call.failure = this.breaker.reject(failure);
			call.stop(Outcome.REJECTED, attempted);
			return false;
		}
		if (this.budget != null && !this.budget.tryAcquireRetry()) {
			call.stop(Outcome.BUDGET_EXHAUSTED, attempted);
			return false;
		}
		call.delay = delay;
		this.events.retryScheduled(call, failure, hinted);
		return true;
	}

	/**
	 * Why no further attempt is made after this failure, or {@code null} to go on. Only a caller's
	 * own thread is asked whether it is interrupted: an asynchronous call's steps run on whatever
	 * thread completed a stage, whose interrupt flag says nothing about the call.
	 */
	private @Nullable Outcome stopReason(Throwable failure, int attempted, boolean onCallerThread) {
		if (failure instanceof CircuitBreakerOpenException) {
			return Outcome.REJECTED;
		}
		if (failure instanceof InterruptedException || (onCallerThread && Thread.currentThread().isInterrupted())) {
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

	/** The larger of the computed delay and the wait the failure asks for, capped at max-delay. */
	private long honourRetryAfter(Throwable failure, long delay) {
		Duration asked;
		try {
			asked = RetryAfterResolver.alongCauses(this.retryAfter, failure, this.ticker.wallTime());
		}
		catch (Throwable ex) {
			this.resolverFailure.failed(this.target, ex);
			return delay;
		}
		if (asked == null) {
			return delay;
		}
		long askedNanos = (asked.getSeconds() >= Long.MAX_VALUE / 1_000_000_000L) ? Long.MAX_VALUE : asked.toNanos();
		return Math.min(Math.max(askedNanos, delay), this.maxDelayNanos);
	}

	/**
	 * The one end of a call that failed, for every call style: tells the listeners how it ended,
	 * and returns the failure the caller gets, or {@code null} when the fallback answers instead
	 * (the caller's style then applies it to {@code call.failure}).
	 */
	@Nullable Throwable end(CallProgress call, @Nullable Fallback<?> fallback) {
		this.events.completed(call, call.stop, call.attempts, call.failure);
		return thrown(call, fallback != null && fallback.handles(call.failure));
	}

	/**
	 * As {@link #end(CallProgress, Fallback)}, for a call that asked its fallback first (it takes
	 * its outcome only when no fallback answers, before telling it).
	 * @param fallbackAnswers whether the fallback handles {@code call.failure}
	 */
	@Nullable Throwable end(CallProgress call, boolean fallbackAnswers) {
		this.events.completed(call, call.stop, call.attempts, call.failure);
		return thrown(call, fallbackAnswers);
	}

	/** The failure the caller of an ended call gets, or {@code null} when the fallback answers. */
	private @Nullable Throwable thrown(CallProgress call, boolean fallbackAnswers) {
		if (fallbackAnswers) {
			return null;
		}
		if (call.stop == Outcome.EXHAUSTED && this.wrap) {
			RetryExhaustedException exhausted = new RetryExhaustedException(this.target.name(), call.attempts,
					call.failure);
			call.earlier(exhausted::addSuppressed);
			return exhausted;
		}
		return call.failure;
	}

}
