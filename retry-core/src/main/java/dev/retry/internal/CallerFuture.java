package dev.retry.internal;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * The future a caller holds for a call still running: the call answers through {@link #answer}
 * and {@link #fail}; when the caller completes or cancels it first ({@code cancel()},
 * {@code orTimeout}, {@code completeExceptionally}), {@link #gaveUp()} is told once, so the work
 * behind it can be stopped and what it holds given back.
 */
public abstract class CallerFuture<T> extends CompletableFuture<T> {

	private static final AtomicIntegerFieldUpdater<CallerFuture> SETTLED = AtomicIntegerFieldUpdater
		.newUpdater(CallerFuture.class, "settled");

	private static final int OPEN = 0;

	private static final int BY_CALL = 1;

	private static final int BY_CALLER = 2;

	/** Who took the outcome first: the call ({@link #settle}) or the caller (who then gave up). */
	private volatile int settled;

	/** Completes with the call's own result; {@code false} when the caller got there first. */
	public final boolean answer(T value) {
		return super.complete(value);
	}

	/** Completes with the call's own failure; {@code false} when the caller got there first. */
	public final boolean fail(Throwable failure) {
		return super.completeExceptionally(failure);
	}

	/**
	 * The call ended and takes the outcome, before it completes this future: what it does in
	 * between (counting the outcome) happens before anything waiting on this future runs. Then
	 * {@link #answer} or {@link #fail}.
	 * @return {@code false} when the caller gave up first ({@link #gaveUp()} was told)
	 */
	protected final boolean settle() {
		return SETTLED.compareAndSet(this, OPEN, BY_CALL);
	}

	/** The caller ended the call before it answered; called once, on the caller's thread. */
	protected abstract void gaveUp();

	@Override
	public boolean complete(T value) {
		if (super.complete(value)) {
			callerEnded();
			return true;
		}
		return false;
	}

	@Override
	public boolean completeExceptionally(Throwable failure) {
		if (super.completeExceptionally(failure)) {
			callerEnded();
			return true;
		}
		return false;
	}

	@Override
	public boolean cancel(boolean mayInterruptIfRunning) {
		if (super.completeExceptionally(new CancellationException())) {
			callerEnded();
			return true;
		}
		return isCancelled();
	}

	/** Tells {@link #gaveUp()}, unless the call had already settled its outcome. */
	private void callerEnded() {
		if (SETTLED.compareAndSet(this, OPEN, BY_CALLER)) {
			gaveUp();
		}
	}

}
