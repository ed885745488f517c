package dev.retry.breaker;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Outcomes of the last {@code size} calls, lock-free. The counts are exact once writers are done;
 * while they write, a reader may see one outcome counted before another is discounted.
 */
final class SlidingWindow {

	private static final int EMPTY = 0;

	private static final int OK = 1;

	private static final int FAILED = 2;

	private final int size;

	private final AtomicIntegerArray slots;

	private final AtomicLong next = new AtomicLong();

	private final AtomicInteger calls = new AtomicInteger();

	private final AtomicInteger failures = new AtomicInteger();

	SlidingWindow(int size) {
		this.size = size;
		this.slots = new AtomicIntegerArray(size);
	}

	void record(boolean failed) {
		int slot = (int) (this.next.getAndIncrement() % this.size);
		int previous = this.slots.getAndSet(slot, failed ? FAILED : OK);
		if (previous == EMPTY) {
			this.calls.incrementAndGet();
		}
		else if (previous == FAILED) {
			this.failures.decrementAndGet();
		}
		if (failed) {
			this.failures.incrementAndGet();
		}
	}

	/**
	 * A window of another size holding this one's most recent outcomes (as many as fit), for a
	 * breaker given a new configuration. Outcomes recorded here while it copies may be left out.
	 */
	SlidingWindow resized(int size) {
		SlidingWindow resized = new SlidingWindow(size);
		long end = this.next.get();
		long start = Math.max(0, end - Math.min(size, this.size));
		for (long i = start; i < end; i++) {
			int outcome = this.slots.get((int) (i % this.size));
			if (outcome != EMPTY) {
				resized.record(outcome == FAILED);
			}
		}
		return resized;
	}

	int size() {
		return this.size;
	}

	int calls() {
		return this.calls.get();
	}

	int failures() {
		return this.failures.get();
	}

	/** Failure rate in percent, or -1 before {@code minimumCalls} were seen. */
	float failureRate(int minimumCalls) {
		int calls = calls();
		return (calls < minimumCalls || calls == 0) ? -1f : failures() * 100f / calls;
	}

}
