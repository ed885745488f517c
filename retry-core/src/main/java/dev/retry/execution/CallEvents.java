package dev.retry.execution;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import dev.retry.CircuitBreakerOpenException;
import dev.retry.event.CallObserver;
import dev.retry.event.CallTarget;
import dev.retry.event.Outcome;
import dev.retry.event.RetryListener;
import dev.retry.internal.LoggedOnce;
import org.jspecify.annotations.Nullable;

/**
 * Tells the retry listeners of one method, and the observer following a call, what its calls do:
 * an attempt failed, a retry is scheduled, a hedge ended, a call completed or was cancelled. A
 * listener that throws is logged once and the call goes on. Made once per executor: the listeners
 * are resolved for the method then, and those that do not want first-attempt successes are left
 * out of them, so that such a success tells no one.
 */
final class CallEvents implements HedgeStage.HedgeListener {

	private static final RetryListener[] NONE = new RetryListener[0];

	private final CallTarget target;

	private final int maxAttempts;

	private final RetryListener[] listeners;

	/** The listeners that want calls succeeding at their first attempt: often none. */
	private final RetryListener[] firstSuccessListeners;

	/**
	 * Offered each call it did not follow from its start, when the call is about to retry (the
	 * logging fields of each retry), or {@code null}.
	 */
	private final @Nullable CallObserver retryObserver;

	private final LoggedOnce listenerFailure = new LoggedOnce("A RetryListener threw; the call goes on");

	/**
	 * @param listeners the runtime's listeners, each asked for its listener of this method
	 * @param retryObserver follows calls from their first retry on, or {@code null}
	 */
	CallEvents(CallTarget target, int maxAttempts, List<RetryListener> listeners,
			@Nullable CallObserver retryObserver) {
		this.target = target;
		this.maxAttempts = maxAttempts;
		this.retryObserver = retryObserver;
		this.listeners = listeners.isEmpty() ? NONE
				: listeners.stream().map((listener) -> listener.forTarget(target)).toArray(RetryListener[]::new);
		this.firstSuccessListeners = Arrays.stream(this.listeners)
			.filter(RetryListener::observesFirstAttemptSuccess)
			.toArray(RetryListener[]::new);
	}

	/** No listener at all: a method with a circuit breaker alone tells none. */
	static CallEvents silent(CallTarget target) {
		return new CallEvents(target, 1, List.of(), null);
	}

	/** Whether a call succeeding at its first attempt has anyone to tell. */
	boolean wantsFirstSuccess() {
		return this.firstSuccessListeners.length > 0;
	}

	/** Attempt {@code attempt} failed; one the breaker rejected was never made, and is not told. */
	void attemptFailed(int attempt, Throwable failure) {
		if (this.listeners.length == 0 || failure instanceof CircuitBreakerOpenException) {
			return;
		}
		for (RetryListener listener : this.listeners) {
			try {
				listener.onAttemptFailed(this.target, attempt, failure);
			}
			catch (Throwable ex) {
				this.listenerFailure.failed(listener, ex);
			}
		}
	}

	/**
	 * The call will make attempt {@code call.attempted + 1} after {@code call.delay}: the listeners
	 * are told, and the observer, which from now on follows a call it did not follow from its start.
	 * @param hinted whether the wait is the one the failure asked for (Retry-After)
	 */
	void retryScheduled(CallProgress call, Throwable failure, boolean hinted) {
		int attempted = call.attempted;
		long delayNanos = call.delay;
		if (this.listeners.length > 0) {
			Duration delay = Duration.ofNanos(delayNanos);
			for (RetryListener listener : this.listeners) {
				try {
					listener.onRetryScheduled(this.target, attempted + 1, this.maxAttempts, delay, failure);
				}
				catch (Throwable ex) {
					this.listenerFailure.failed(listener, ex);
				}
			}
		}
		if (call.observed == null && attempted == 1 && this.retryObserver != null) {
			call.observed = this.retryObserver.retrying(this.target);
		}
		if (call.observed != null) {
			call.observed.waiting(attempted + 1, Duration.ofNanos(delayNanos), failure,
					hinted ? "Retry-After" : "backoff");
		}
	}

	@Override
	public void hedgeEnded(boolean won) {
		for (RetryListener listener : this.listeners) {
			try {
				listener.onHedgeEnded(this.target, won);
			}
			catch (Throwable ex) {
				this.listenerFailure.failed(listener, ex);
			}
		}
	}

	/** A call ended: the listeners are told (of a first-attempt success, only those who want it). */
	void completed(Outcome outcome, int attempts, @Nullable Throwable failure) {
		for (RetryListener listener : (outcome == Outcome.SUCCESS) ? this.firstSuccessListeners : this.listeners) {
			try {
				listener.onCompleted(this.target, outcome, attempts, failure);
			}
			catch (Throwable ex) {
				this.listenerFailure.failed(listener, ex);
			}
		}
	}

	/** A call ended: the listeners are told, and the observer when the call has one. */
	void completed(CallProgress call, Outcome outcome, int attempts, @Nullable Throwable failure) {
		completed(outcome, attempts, failure);
		if (call.observed != null) {
			call.observed.end(outcome, attempts, failure);
		}
	}

	/** The caller gave up: the listeners are told, and the observer when the call has one. */
	void cancelled(CallProgress call, int attempts) {
		for (RetryListener listener : this.listeners) {
			try {
				listener.onCancelled(this.target, attempts);
			}
			catch (Throwable ex) {
				this.listenerFailure.failed(listener, ex);
			}
		}
		if (call.observed != null) {
			call.observed.cancelled(attempts);
		}
	}

}
