package dev.retry.execution;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

import dev.retry.classify.HttpStatusResolver;
import dev.retry.classify.RetryAfterResolver;
import dev.retry.event.RetryListener;
import dev.retry.internal.Assert;
import dev.retry.time.DaemonScheduler;
import dev.retry.time.Scheduler;
import dev.retry.time.Sleeper;
import dev.retry.time.Ticker;

/**
 * The services every executor shares: how to wait, what time it is, where jitter comes from, who
 * listens and how HTTP statuses are read. Replace the sleeper and ticker (with a
 * {@link dev.retry.time.ManualClock}) and the random source in tests.
 * @param sleeper waits between attempts
 * @param ticker measures deadlines
 * @param random uniform draws in {@code [0, 1)} for jitter
 * @param listeners told of retries and outcomes, in order
 * @param statusResolver reads HTTP statuses from client failures
 * @param retryAfter reads the wait a failure asks for (such as a {@code Retry-After} header)
 * @param scheduler starts the next attempt of an asynchronous call after its delay
 */
public record RetryRuntime(Sleeper sleeper, Ticker ticker, DoubleSupplier random, List<RetryListener> listeners,
		HttpStatusResolver statusResolver, RetryAfterResolver retryAfter, Scheduler scheduler) {

	private static final DoubleSupplier THREAD_LOCAL_RANDOM = () -> ThreadLocalRandom.current().nextDouble();

	public RetryRuntime {
		Assert.notNull(sleeper, "sleeper");
		Assert.notNull(ticker, "ticker");
		Assert.notNull(random, "random");
		listeners = List.copyOf(listeners);
		Assert.notNull(statusResolver, "statusResolver");
		Assert.notNull(retryAfter, "retryAfter");
		Assert.notNull(scheduler, "scheduler");
	}

	/**
	 * Real sleeping and time, thread-local randomness, no listeners, no HTTP client knowledge, no retry
	 * hints; asynchronous calls wait on one {@link DaemonScheduler} shared by the whole JVM.
	 */
	public static RetryRuntime defaults() {
		return new RetryRuntime(Sleeper.THREAD_SLEEP, Ticker.SYSTEM, THREAD_LOCAL_RANDOM, List.of(),
				HttpStatusResolver.NONE, RetryAfterResolver.NONE, SharedScheduler::schedule);
	}

	/** The default source of randomness: {@link ThreadLocalRandom}. */
	public static DoubleSupplier threadLocalRandom() {
		return THREAD_LOCAL_RANDOM;
	}

	public RetryRuntime withSleeper(Sleeper sleeper) {
		return new RetryRuntime(sleeper, this.ticker, this.random, this.listeners, this.statusResolver, this.retryAfter,
				this.scheduler);
	}

	public RetryRuntime withTicker(Ticker ticker) {
		return new RetryRuntime(this.sleeper, ticker, this.random, this.listeners, this.statusResolver, this.retryAfter,
				this.scheduler);
	}

	public RetryRuntime withRandom(DoubleSupplier random) {
		return new RetryRuntime(this.sleeper, this.ticker, random, this.listeners, this.statusResolver, this.retryAfter,
				this.scheduler);
	}

	public RetryRuntime withListeners(List<RetryListener> listeners) {
		return new RetryRuntime(this.sleeper, this.ticker, this.random, listeners, this.statusResolver, this.retryAfter,
				this.scheduler);
	}

	public RetryRuntime withRetryAfter(RetryAfterResolver retryAfter) {
		return new RetryRuntime(this.sleeper, this.ticker, this.random, this.listeners, this.statusResolver, retryAfter,
				this.scheduler);
	}

	public RetryRuntime withScheduler(Scheduler scheduler) {
		return new RetryRuntime(this.sleeper, this.ticker, this.random, this.listeners, this.statusResolver,
				this.retryAfter, scheduler);
	}

	public RetryRuntime withStatusResolver(HttpStatusResolver statusResolver) {
		return new RetryRuntime(this.sleeper, this.ticker, this.random, this.listeners, statusResolver, this.retryAfter,
				this.scheduler);
	}

	/** The JVM-wide scheduler of {@link #defaults()}, started on first use. */
	private static final class SharedScheduler {

		private static final DaemonScheduler INSTANCE = new DaemonScheduler();

		static java.util.concurrent.Future<?> schedule(Runnable task, long delayNanos) {
			return INSTANCE.schedule(task, delayNanos);
		}

	}

}
