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
	 */
	Future<?> schedule(Runnable task, long delayNanos);

	/** A scheduler that hands tasks to an executor the caller owns (and shuts down). */
	static Scheduler of(ScheduledExecutorService executor) {
		return (task, delayNanos) -> executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
	}

}
