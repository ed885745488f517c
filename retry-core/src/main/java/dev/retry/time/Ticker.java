package dev.retry.time;

/** A monotonic time source in nanoseconds, for deadlines and breaker timing. */
@FunctionalInterface
public interface Ticker {

	/** {@link System#nanoTime()}. */
	Ticker SYSTEM = System::nanoTime;

	/** Current time in nanoseconds; only differences between two readings mean anything. */
	long nanoTime();

}
