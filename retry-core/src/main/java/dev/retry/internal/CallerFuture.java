package dev.retry.internal;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * The future a caller holds for a call still running: the call answers through {@link #answer}
 * and {@link #fail}; when the caller completes or cancels it first ({@code cancel()},
 * {@code orTimeout}, {@code completeExceptionally}), {@link #gaveUp()} is told once, so the work
 * behind it can be stopped and what it holds given back.
 *
 * <p>A call that accounts for its outcome before its caller hears it (counts it, tells it) first
 * takes, once, what a caller giving up would take too: the breaker's permit, the call itself.
 * Whichever takes it accounts for the call, and the other does nothing. No field here serves
 * that, so that the futures of the success path stay as small as they were.
 */
public abstract class CallerFuture<T> extends CompletableFuture<T> {

	/** Completes with the call's own result; {@code false} when the caller got there first. */
	public final boolean answer(T value) {
		return super.complete(value);
	}

	/** Completes with the call's own failure; {@code false} when the caller got there first. */
	public final boolean fail(Throwable failure) {
		return super.completeExceptionally(failure);
	}

	/** The caller ended the call before it answered; called once, on the caller's thread. */
	protected abstract void gaveUp();

	@Override
	public boolean complete(T value) {
		if (super.complete(value)) {
			gaveUp();
			return true;
		}
		return false;
	}

	@Override
	public boolean completeExceptionally(Throwable failure) {
		if (super.completeExceptionally(failure)) {
			gaveUp();
			return true;
		}
		return false;
	}

	@Override
	public boolean cancel(boolean mayInterruptIfRunning) {
		if (super.completeExceptionally(new CancellationException())) {
			gaveUp();
			return true;
		}
		return isCancelled();
	}

}
