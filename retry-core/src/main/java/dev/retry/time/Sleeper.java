package dev.retry.time;

import java.util.concurrent.TimeUnit;

/**
 * Waits between attempts. Replace it in tests with a {@link ManualClock}, which records the
 * delays and returns at once.
 */
@FunctionalInterface
public interface Sleeper {

	/** Sleeps the calling thread; an interrupt ends the wait with {@link InterruptedException}. */
	Sleeper THREAD_SLEEP = (nanos) -> TimeUnit.NANOSECONDS.sleep(nanos);

	/**
	 * Waits {@code nanos} nanoseconds.
	 * @throws InterruptedException if the thread is interrupted while waiting
	 */
	void sleep(long nanos) throws InterruptedException;

}
