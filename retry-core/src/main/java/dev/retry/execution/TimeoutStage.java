package dev.retry.execution;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Delayed;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

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
 *
 * <p>An attempt is timed out at its time, never earlier, also when the application shuts down:
 * a closed watchdog refuses new timers and runs the waiting ones at once, so a timer refused or
 * run before its time is handed to the JVM-wide scheduler of {@link RetryRuntime#sharedScheduler()}
 * for the time left. Attempts started or running during a shutdown stay timed.
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
		Watch watch = new Watch(Thread.currentThread(), this);
		T result;
		try {
			result = proceed(context, call, attempt);
		}
		catch (Throwable failure) {
			watch.stop();
			if (watch.timedOut()) {
				throw new AttemptTimeoutException(this.timeout, failure);
			}
			throw failure;
		}
		watch.stop();
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

	/** Sets a timer on the watchdog, or on the JVM-wide scheduler when the watchdog is closed. */
	private Future<?> schedule(Runnable task, long delayNanos) {
		try {
			return this.watchdog.schedule(task, delayNanos);
		}
		catch (RejectedExecutionException closed) {
			return RetryRuntime.sharedScheduler().schedule(task, delayNanos);
		}
	}

	/**
	 * Whether a timer runs before its time because its watchdog is closing; it is then set again on
	 * the JVM-wide scheduler for the time left, through {@code rearm}. The time left is the timer's
	 * own delay, so that the success path reads no clock; a timer run before the watchdog even
	 * handed it back is given the whole timeout again.
	 */
	private boolean early(@Nullable Future<?> timer, Runnable task, Consumer<Future<?>> rearm) {
		if (!this.watchdog.isClosed()) {
			return false;
		}
		long left = (timer instanceof Delayed delayed) ? delayed.getDelay(TimeUnit.NANOSECONDS)
				: (timer == null) ? this.timeoutNanos : 0;
		if (left <= 0) {
			return false;
		}
		rearm.accept(RetryRuntime.sharedScheduler().schedule(task, left));
		return true;
	}

	/**
	 * Runs {@code onTimeout} once this stage's timeout has passed, as the attempts here are timed:
	 * never early, and through a shutdown. For the Reactor form of this stage.
	 */
	Alarm alarm(Runnable onTimeout) {
		return new Alarm(this, onTimeout);
	}

	/** A timeout for a subscription: it runs its task at the timeout unless cancelled first. */
	static final class Alarm implements Runnable {

		private final TimeoutStage stage;

		private final Runnable onTimeout;

		private volatile @Nullable Future<?> timer;

		private volatile boolean cancelled;

		Alarm(TimeoutStage stage, Runnable onTimeout) {
			this.stage = stage;
			this.onTimeout = onTimeout;
			this.timer = stage.schedule(this, stage.timeoutNanos);
		}

		@Override
		public void run() {
			if (this.cancelled || this.stage.early(this.timer, this, this::rearmed)) {
				return;
			}
			this.onTimeout.run();
		}

		private void rearmed(Future<?> timer) {
			this.timer = timer;
		}

		void cancel() {
			this.cancelled = true;
			Future<?> timer = this.timer;
			if (timer != null) {
				timer.cancel(false);
			}
		}

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

		private final transient TimeoutStage stage;

		private transient volatile @Nullable Future<?> timer;

		Watch(Thread caller, TimeoutStage stage) {
			this.caller = caller;
			this.stage = stage;
			this.timer = stage.schedule(this, stage.timeoutNanos);
		}

		@Override
		public void run() {
			if (get() != RUNNING || this.stage.early(this.timer, this, this::rearmed)) {
				return;
			}
			if (compareAndSet(RUNNING, FIRING)) {
				this.caller.interrupt();
				set(FIRED);
			}
		}

		private void rearmed(Future<?> timer) {
			this.timer = timer;
		}

		/** The attempt ended: its timer is not needed any more. */
		void stop() {
			Future<?> timer = this.timer;
			if (timer != null) {
				timer.cancel(false);
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

		private final TimeoutStage stage;

		private volatile @Nullable Future<?> timer;

		/** Set when the watchdog fires: the inner future's own end (its cancellation) is then not the outcome. */
		private volatile boolean timedOut;

		Timed(CompletableFuture<T> inner, TimeoutStage stage) {
			this.inner = inner;
			this.stage = stage;
			this.timer = stage.schedule(this, stage.timeoutNanos);
			inner.whenComplete(this);
		}

		@Override
		public void accept(@Nullable T value, @Nullable Throwable error) {
			if (this.timedOut) {
				return;
			}
			cancelTimer();
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
			if (isDone() || this.stage.early(this.timer, this, this::rearmed)) {
				return;
			}
			this.timedOut = true;
			this.inner.cancel(true);
			fail(new AttemptTimeoutException(this.stage.timeout, null));
		}

		private void rearmed(Future<?> timer) {
			this.timer = timer;
		}

		private void cancelTimer() {
			Future<?> timer = this.timer;
			if (timer != null) {
				timer.cancel(false);
			}
		}

		@Override
		protected void gaveUp() {
			cancelTimer();
			this.inner.cancel(true);
		}

	}

}
