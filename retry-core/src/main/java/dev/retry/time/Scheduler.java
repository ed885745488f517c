package dev.retry.time;

import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs the next attempt of an asynchronous call after its delay, without holding a thread while
 * waiting. Replace it in tests with a {@link ManualClock}, which records the delay, moves its
 * clock and runs the task at once.
 */
@FunctionalInterface
public interface Scheduler {

	/**
	 * Runs {@code task} once, after {@code delayNanos}.
	 * @return a handle whose {@link Future#cancel cancel} keeps the task from running
	 * @throws java.util.concurrent.RejectedExecutionException when the scheduler is closed: the
	 * call then ends at once with its last failure
	 */
	Future<?> schedule(Runnable task, long delayNanos);

	/**
	 * Whether the scheduler has closed (its application is shutting down). A task it runs after
	 * closing runs at once, not at its time, so that the call waiting on it ends now, with its last
	 * failure, instead of making another attempt or never ending.
	 */
	default boolean isClosed() {
		return false;
	}

	/** A scheduler that hands tasks to an executor the caller owns (and shuts down). */
	static Scheduler of(ScheduledExecutorService executor) {
		return new Scheduler() {

			@Override
			public Future<?> schedule(Runnable task, long delayNanos) {
				return executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
			}

			@Override
			public boolean isClosed() {
				return executor.isShutdown();
			}

		};
	}

}
