package dev.retry.execution;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

import dev.retry.AttemptTimeoutException;
import dev.retry.internal.CallerFuture;
import dev.retry.internal.Failures;
import dev.retry.time.Scheduler;
import org.jspecify.annotations.Nullable;

/**
 * Fails an attempt that runs longer than the policy's {@code attempt-timeout} with an
 * {@link AttemptTimeoutException}. A synchronous attempt keeps running on the caller's thread (its
 * transaction, security context and thread-locals stay valid): a shared watchdog interrupts that
 * thread at the timeout, and the interrupt is cleared before the retry decision. An asynchronous
 * attempt's future is cancelled.
 */
public final class TimeoutStage extends AttemptStage {

	private final Duration timeout;

	private final long timeoutNanos;

	private final Scheduler watchdog;

	TimeoutStage(Duration timeout, Scheduler watchdog, @Nullable AttemptStage next) {
		super(next);
		this.timeout = timeout;
		this.timeoutNanos = timeout.toNanos();
		this.watchdog = watchdog;
	}

	public Duration timeout() {
		return this.timeout;
	}

	Scheduler watchdog() {
		return this.watchdog;
	}

	@Override
	public String toString() {
		return "attemptTimeout(" + dev.retry.internal.Durations.text(this.timeout) + ")";
	}

	@Override
	public <C, T> T run(C context, Attempt<C, T> call, int attempt) throws Throwable {
		Watch watch = new Watch(Thread.currentThread());
		Future<?> timer = this.watchdog.schedule(watch, this.timeoutNanos);
		T result;
		try {
			result = proceed(context, call, attempt);
		}
		catch (Throwable failure) {
			timer.cancel(false);
			if (watch.timedOut()) {
				throw new AttemptTimeoutException(this.timeout, failure);
			}
			throw failure;
		}
		timer.cancel(false);
		// An answer that came after the watchdog fired is still the answer; its interrupt is cleared.
		watch.timedOut();
		return result;
	}

	@Override
	public <C, T> CompletableFuture<T> start(C context, Attempt<C, ? extends CompletionStage<T>> call, int attempt) {
		CompletableFuture<T> inner = proceedAsync(context, call, attempt);
		if (inner.isDone()) {
			return inner;
		}
		return new Timed<>(inner, this);
	}

	/**
	 * The watchdog's task for one synchronous attempt: interrupts the caller once. The attempt's own
	 * end and the watchdog race; whichever comes first decides, and a fired watchdog's interrupt is
	 * always cleared before the attempt's end is reported.
	 */
	private static final class Watch extends AtomicInteger implements Runnable {

		private static final long serialVersionUID = 1L;

		private static final int RUNNING = 0;

		private static final int FIRING = 1;

		private static final int FIRED = 2;

		private static final int ENDED = 3;

		private final transient Thread caller;

		Watch(Thread caller) {
			this.caller = caller;
		}

		@Override
		public void run() {
			if (compareAndSet(RUNNING, FIRING)) {
				this.caller.interrupt();
				set(FIRED);
			}
		}

		/** The attempt ended: whether the watchdog fired first (its interrupt then cleared). */
		boolean timedOut() {
			if (compareAndSet(RUNNING, ENDED)) {
				return false;
			}
			while (get() == FIRING) {
				Thread.onSpinWait();
			}
			Thread.interrupted();
			return true;
		}

	}

	/** An asynchronous attempt under a timeout: whichever ends first, the attempt or the watchdog. */
	private static final class Timed<T> extends CallerFuture<T> implements BiConsumer<T, Throwable>, Runnable {

		private final CompletableFuture<T> inner;

		private final Duration timeout;

		private final Future<?> timer;

		/** Set when the watchdog fires: the inner future's own end (its cancellation) is then not the outcome. */
		private volatile boolean timedOut;

		Timed(CompletableFuture<T> inner, TimeoutStage stage) {
			this.inner = inner;
			this.timeout = stage.timeout;
			this.timer = stage.watchdog.schedule(this, stage.timeoutNanos);
			inner.whenComplete(this);
		}

		@Override
		public void accept(@Nullable T value, @Nullable Throwable error) {
			if (this.timedOut) {
				return;
			}
			this.timer.cancel(false);
			if (error == null) {
				answer(value);
			}
			else {
				fail(Failures.unwrap(error));
			}
		}

		/**
		 * The watchdog fired: the attempt is cancelled first, then fails, so that whatever follows
		 * (the next attempt, the caller's answer) never sees a timed-out attempt still running.
		 */
		@Override
		public void run() {
			if (isDone()) {
				return;
			}
			this.timedOut = true;
			this.inner.cancel(true);
			fail(new AttemptTimeoutException(this.timeout, null));
		}

		@Override
		protected void gaveUp() {
			this.timer.cancel(false);
			this.inner.cancel(true);
		}

	}

}
