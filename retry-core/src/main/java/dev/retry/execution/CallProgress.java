package dev.retry.execution;

import java.util.ArrayDeque;
import java.util.function.Consumer;

import dev.retry.CircuitBreakerOpenException;
import dev.retry.event.CallObserver;
import dev.retry.event.Outcome;
import org.jspecify.annotations.Nullable;

/**
 * What one call has done so far: the attempt it is at, when it started, its last failure (and, for
 * {@code on-exhausted: wrap}, some earlier ones), the wait before its next attempt, and, once it
 * ends, why. A synchronous call has one from its first failure on; an asynchronous call and a
 * reactive subscription are one. It only records: {@link FailureDecision} reads it to decide what
 * follows a failure.
 */
class CallProgress {

	/** Earlier failures kept for {@code on-exhausted: wrap}: the first and the most recent. */
	static final int KEPT_FAILURES = 10;

	/** Where the call's deadline counts from (0 when its policy has none). */
	final long start;

	/** The attempt running or last made: 1 for the first. */
	int attempted = 1;

	long previousDelay;

	/** The wait before the next attempt, once planned. */
	long delay;

	@Nullable Throwable failure;

	/**
	 * Earlier failures kept for {@code on-exhausted: wrap}, oldest first: the first, then the most
	 * recent. One field, since every asynchronous call waiting for a retry holds it.
	 */
	private @Nullable ArrayDeque<Throwable> earlier;

	/** Why the call ended without a result, once it did. */
	@Nullable Outcome stop;

	/** Attempts to report when stopped. */
	int attempts;

	/** The call as its observer follows it, or {@code null}. */
	CallObserver.@Nullable Call observed;

	CallProgress(long start) {
		this.start = start;
	}

	/**
	 * Whether this call runs on its caller's thread, whose interrupt flag then counts: a
	 * synchronous call's does; an asynchronous call's steps run on whatever thread completed a stage.
	 */
	boolean onCallerThread() {
		return true;
	}

	/**
	 * The attempt {@code attempted} failed. A rejection by the breaker after a real failure
	 * carries that failure as its cause, so the caller still sees what went wrong.
	 * @param keepEarlier whether earlier failures are kept ({@code on-exhausted: wrap})
	 */
	void failed(Throwable next, boolean keepEarlier) {
		Throwable previous = this.failure;
		if (previous != null) {
			if (next instanceof CircuitBreakerOpenException rejected) {
				next = rejected.after(previous);
			}
			if (keepEarlier) {
				keep(previous);
			}
		}
		this.failure = next;
	}

	/** Keeps the first failure and the most recent ones, at most {@value #KEPT_FAILURES} in all. */
	private void keep(Throwable failure) {
		ArrayDeque<Throwable> earlier = this.earlier;
		if (earlier == null) {
			earlier = new ArrayDeque<>(KEPT_FAILURES);
			this.earlier = earlier;
		}
		if (earlier.size() == KEPT_FAILURES) {
			// Drop the oldest of the recent ones; the first stays first.
			Throwable first = earlier.removeFirst();
			earlier.removeFirst();
			earlier.addFirst(first);
		}
		earlier.addLast(failure);
	}

	/** The earlier failures kept, oldest first. */
	void earlier(Consumer<Throwable> action) {
		if (this.earlier != null) {
			this.earlier.forEach(action);
		}
	}

	/** The planned wait is over: the next attempt begins. */
	void next(@Nullable RetryContext context) {
		this.previousDelay = this.delay;
		this.attempted++;
		if (context != null) {
			context.nextAttempt(this.attempted, this.failure);
		}
	}

	/** The call ends without a result, for {@code outcome}, after {@code attempts} attempts. */
	void stop(Outcome outcome, int attempts) {
		this.stop = outcome;
		this.attempts = attempts;
	}

}
