package dev.retry.time;

import java.time.Instant;

/** A monotonic time source in nanoseconds, for deadlines and breaker timing. */
@FunctionalInterface
public interface Ticker {

	/** {@link System#nanoTime()}. */
	Ticker SYSTEM = System::nanoTime;

	/** Current time in nanoseconds; only differences between two readings mean anything. */
	long nanoTime();

	/**
	 * The current wall-clock instant, for reading absolute times such as an HTTP-date
	 * {@code Retry-After}. {@link Instant#now()} unless overridden.
	 */
	default Instant wallTime() {
		return Instant.now();
	}

}
