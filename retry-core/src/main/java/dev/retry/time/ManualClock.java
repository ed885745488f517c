package dev.retry.time;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that only moves when told to, and a sleeper that records each wait and moves the clock
 * by it instead of waiting. Lets a test see the delays a call would have slept, with no real
 * waiting. As a {@link Scheduler} (for asynchronous calls) it does the same and then runs the
 * task at once, on the calling thread. Thread-safe.
 *
 * <pre>{@code
 * @Bean ManualClock retryClock() { return new ManualClock(); }   // replaces both sleeper and ticker
 * ...
 * assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
 * }</pre>
 */
public class ManualClock implements Ticker, Sleeper, Scheduler {

	/** The wall-clock instant a new clock shows. */
	public static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

	private final AtomicLong now = new AtomicLong();

	private final List<Duration> sleeps = new ArrayList<>();

	@Override
	public long nanoTime() {
		return this.now.get();
	}

	/** {@link #START} plus the time the clock was moved by. */
	@Override
	public Instant wallTime() {
		return START.plusNanos(this.now.get());
	}

	@Override
	public void sleep(long nanos) throws InterruptedException {
		if (Thread.interrupted()) {
			throw new InterruptedException("interrupted before sleeping " + Duration.ofNanos(nanos));
		}
		pass(nanos);
	}

	/** Records the delay, moves the clock by it and runs the task now, on this thread. */
	@Override
	public Future<?> schedule(Runnable task, long delayNanos) {
		pass(delayNanos);
		task.run();
		return CompletableFuture.completedFuture(null);
	}

	/** Records a wait and moves the clock by it. */
	private void pass(long nanos) {
		synchronized (this.sleeps) {
			this.sleeps.add(Duration.ofNanos(nanos));
		}
		this.now.addAndGet(nanos);
	}

	/** Moves the clock forward. */
	public void advance(Duration duration) {
		this.now.addAndGet(duration.toNanos());
	}

	/** Every wait requested so far, in order. */
	public List<Duration> sleeps() {
		synchronized (this.sleeps) {
			return List.copyOf(this.sleeps);
		}
	}

	/** Forgets the recorded waits (the clock keeps its time). */
	public void clearSleeps() {
		synchronized (this.sleeps) {
			this.sleeps.clear();
		}
	}

}
