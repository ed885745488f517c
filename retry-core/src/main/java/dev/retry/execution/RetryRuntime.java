package dev.retry.execution;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

import dev.retry.classify.HttpStatusResolver;
import dev.retry.classify.RetryAfterResolver;
import dev.retry.event.CallObserver;
import dev.retry.event.RetryListener;
import dev.retry.internal.Assert;
import dev.retry.time.DaemonScheduler;
import dev.retry.time.Scheduler;
import dev.retry.time.Sleeper;
import dev.retry.time.Ticker;
import org.jspecify.annotations.Nullable;

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
 * @param watchdog times attempts out and starts hedges, in real time: unlike the scheduler, it is
 * not replaced by a {@link dev.retry.time.ManualClock} in tests, since a timeout that fires at once
 * would fail every attempt
 * @param observer follows each call and attempt as it runs (tracing), or {@code null}: nothing does,
 * and calls pay nothing for it
 */
public record RetryRuntime(Sleeper sleeper, Ticker ticker, DoubleSupplier random, List<RetryListener> listeners,
		HttpStatusResolver statusResolver, RetryAfterResolver retryAfter, Scheduler scheduler, Scheduler watchdog,
		@Nullable CallObserver observer) {

	private static final DoubleSupplier THREAD_LOCAL_RANDOM = () -> ThreadLocalRandom.current().nextDouble();

	public RetryRuntime {
		Assert.notNull(sleeper, "sleeper");
		Assert.notNull(ticker, "ticker");
		Assert.notNull(random, "random");
		listeners = List.copyOf(listeners);
		Assert.notNull(statusResolver, "statusResolver");
		Assert.notNull(retryAfter, "retryAfter");
		Assert.notNull(scheduler, "scheduler");
		Assert.notNull(watchdog, "watchdog");
	}

	/**
	 * Real sleeping and time, thread-local randomness, no listeners, no HTTP client knowledge, no retry
	 * hints; asynchronous calls wait, and attempts are timed, on one {@link DaemonScheduler} shared
	 * by the whole JVM.
	 */
	public static RetryRuntime defaults() {
		return new RetryRuntime(Sleeper.THREAD_SLEEP, Ticker.SYSTEM, THREAD_LOCAL_RANDOM, List.of(),
				HttpStatusResolver.NONE, RetryAfterResolver.NONE, SharedScheduler::schedule, SharedScheduler::schedule, null);
	}

	/** The JVM-wide scheduler of {@link #defaults()}: a real-time watchdog for any runtime. */
	public static Scheduler sharedScheduler() {
		return SharedScheduler::schedule;
	}

	/** The default source of randomness: {@link ThreadLocalRandom}. */
	public static DoubleSupplier threadLocalRandom() {
		return THREAD_LOCAL_RANDOM;
	}

	public RetryRuntime withSleeper(Sleeper sleeper) {
		return new RetryRuntime(sleeper, this.ticker, this.random, this.listeners, this.statusResolver, this.retryAfter,
				this.scheduler, this.watchdog, this.observer);
	}

	public RetryRuntime withTicker(Ticker ticker) {
		return new RetryRuntime(this.sleeper, ticker, this.random, this.listeners, this.statusResolver, this.retryAfter,
				this.scheduler, this.watchdog, this.observer);
	}

	public RetryRuntime withRandom(DoubleSupplier random) {
		return new RetryRuntime(this.sleeper, this.ticker, random, this.listeners, this.statusResolver, this.retryAfter,
				this.scheduler, this.watchdog, this.observer);
	}

	public RetryRuntime withListeners(List<RetryListener> listeners) {
		return new RetryRuntime(this.sleeper, this.ticker, this.random, listeners, this.statusResolver, this.retryAfter,
				this.scheduler, this.watchdog, this.observer);
	}

	public RetryRuntime withRetryAfter(RetryAfterResolver retryAfter) {
		return new RetryRuntime(this.sleeper, this.ticker, this.random, this.listeners, this.statusResolver, retryAfter,
				this.scheduler, this.watchdog, this.observer);
	}

	public RetryRuntime withScheduler(Scheduler scheduler) {
		return new RetryRuntime(this.sleeper, this.ticker, this.random, this.listeners, this.statusResolver,
				this.retryAfter, scheduler, this.watchdog, this.observer);
	}

	/** Times attempts out and starts hedges; must run tasks at their time, in real time. */
	public RetryRuntime withWatchdog(Scheduler watchdog) {
		return new RetryRuntime(this.sleeper, this.ticker, this.random, this.listeners, this.statusResolver,
				this.retryAfter, this.scheduler, watchdog, this.observer);
	}

	public RetryRuntime withStatusResolver(HttpStatusResolver statusResolver) {
		return new RetryRuntime(this.sleeper, this.ticker, this.random, this.listeners, statusResolver, this.retryAfter,
				this.scheduler, this.watchdog, this.observer);
	}

	/** Follows calls and attempts as they run (tracing); {@code null} for none. */
	public RetryRuntime withObserver(@Nullable CallObserver observer) {
		return new RetryRuntime(this.sleeper, this.ticker, this.random, this.listeners, this.statusResolver,
				this.retryAfter, this.scheduler, this.watchdog, observer);
	}

	/** The JVM-wide scheduler of {@link #defaults()}, started on first use. */
	private static final class SharedScheduler {

		/** Never closed: its threads stop when idle, so that no application leaves one behind. */
		private static final DaemonScheduler INSTANCE = new DaemonScheduler(
				Math.max(2, Runtime.getRuntime().availableProcessors()), java.time.Duration.ofSeconds(1));

		static java.util.concurrent.Future<?> schedule(Runnable task, long delayNanos) {
			return INSTANCE.schedule(task, delayNanos);
		}

	}

}
