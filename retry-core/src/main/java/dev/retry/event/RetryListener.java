package dev.retry.event;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * Told what happens to calls under a retry policy. Callbacks run on the thread that saw the event
 * (the caller's for a synchronous call; for an asynchronous or reactive one, the thread that
 * completed the attempt), with the call's {@link dev.retry.execution.RetryContext} current, so they
 * must be quick; anything thrown by a listener is swallowed (and logged once) and never changes
 * the call's outcome. An asynchronous call or subscription that its caller cancels or gives up
 * before it ends has no outcome: {@link #onCancelled} is called instead of {@link #onCompleted}.
 */
public interface RetryListener {

	/**
	 * Called when a method's executor is built: the listener returned receives that method's
	 * events. Override to resolve per-method state (such as meters) once, instead of on each call.
	 * It is called again for a target seen before (a method planned anew when its policy is
	 * re-tuned at runtime, overloads sharing a name): answer the state made the first time.
	 * @param target the method
	 * @return the listener for this method; {@code this} by default
	 */
	default RetryListener forTarget(CallTarget target) {
		return this;
	}

	/**
	 * An attempt failed and another is scheduled.
	 * @param target the method
	 * @param nextAttempt the number of the attempt about to be made (2 for the first retry)
	 * @param maxAttempts attempts the policy allows in all
	 * @param delay the wait before it
	 * @param failure what the failed attempt threw
	 */
	default void onRetryScheduled(CallTarget target, int nextAttempt, int maxAttempts, Duration delay,
			Throwable failure) {
	}

	/**
	 * An attempt failed (whether or not another follows). Not called for an attempt a circuit
	 * breaker rejected, which was never made.
	 * @param target the method
	 * @param attempt the attempt that failed, 1 for the first
	 * @param failure what it threw; an {@link dev.retry.AttemptTimeoutException} when it timed out
	 */
	default void onAttemptFailed(CallTarget target, int attempt, Throwable failure) {
	}

	/**
	 * A hedge (an extra attempt started beside a slow one) ended.
	 * @param target the method
	 * @param won whether its answer was the one used; {@code false} when another answered first,
	 * or it failed, or the call was cancelled
	 */
	default void onHedgeEnded(CallTarget target, boolean won) {
	}

	/**
	 * The call ended.
	 * @param target the method
	 * @param outcome how it ended
	 * @param attempts attempts made, the first included (0 when rejected before any attempt)
	 * @param failure the last failure, or {@code null} on success
	 */
	default void onCompleted(CallTarget target, Outcome outcome, int attempts, @Nullable Throwable failure) {
	}

	/**
	 * Whether {@link #onCompleted} wants the calls that succeeded at their first attempt, which are
	 * nearly all calls. A listener that ignores them answers {@code false} and is then not called
	 * for them at all, so it costs the success path nothing. Asked once per method.
	 * @return {@code true} by default
	 */
	default boolean observesFirstAttemptSuccess() {
		return true;
	}

	/**
	 * The caller cancelled the call, or completed its future itself (gave up, timed out), before
	 * the call ended: no outcome follows, and no further attempt is made.
	 * @param target the method
	 * @param attempts attempts started so far, the first included
	 */
	default void onCancelled(CallTarget target, int attempts) {
	}

}
