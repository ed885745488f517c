package dev.retry.internal;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * The future a caller holds for a call still running: the call answers through {@link #answer}
 * and {@link #fail}; when the caller completes or cancels it first ({@code cancel()},
 * {@code orTimeout}, {@code completeExceptionally}), {@link #gaveUp()} is told once, so the work
 * behind it can be stopped and what it holds given back.
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
