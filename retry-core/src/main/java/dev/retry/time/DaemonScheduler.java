package dev.retry.time;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.internal.Assert;

/**
 * A {@link Scheduler} on a fixed number of daemon threads named {@code retry-scheduler-N}: a
 * waiting call holds no thread, so a few threads serve any number of calls. The threads only start
 * the next attempts; close it to stop them.
 */
public final class DaemonScheduler implements Scheduler, AutoCloseable {

	private static final AtomicInteger POOLS = new AtomicInteger();

	private final ScheduledThreadPoolExecutor executor;

	private volatile boolean closed;

	private final CountDownLatch closing = new CountDownLatch(1);

	/** @param threads the threads that run due attempts, at least 1 */
	public DaemonScheduler(int threads) {
		Assert.isTrue(threads >= 1, "threads must be at least 1, was " + threads);
		this.executor = new ScheduledThreadPoolExecutor(threads, daemonThreads());
		this.executor.setRemoveOnCancelPolicy(true);
		this.executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
	}

	/**
	 * A scheduler that is never closed, such as a JVM-wide one, and so must hold no thread while it
	 * has nothing to run: a thread with nothing to run for {@code idleTimeout} stops, and the next
	 * task starts one again. The last thread stays while a timer waits for its time.
	 * @param threads the most threads that run due tasks, at least 1
	 * @param idleTimeout how long a thread waits for work before it stops, above zero
	 */
	public DaemonScheduler(int threads, Duration idleTimeout) {
		this(threads);
		Assert.isTrue(idleTimeout.compareTo(Duration.ZERO) > 0, "idleTimeout must be above zero, was " + idleTimeout);
		this.executor.setKeepAliveTime(idleTimeout.toNanos(), TimeUnit.NANOSECONDS);
		this.executor.allowCoreThreadTimeOut(true);
	}

	/** One thread per processor, at least two. */
	public DaemonScheduler() {
		this(Math.max(2, Runtime.getRuntime().availableProcessors()));
	}

	private static ThreadFactory daemonThreads() {
		String prefix = "retry-scheduler-" + ((POOLS.incrementAndGet() == 1) ? "" : POOLS.get() + "-");
		AtomicInteger count = new AtomicInteger();
		return (runnable) -> {
			Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		};
	}

	@Override
	public Future<?> schedule(Runnable task, long delayNanos) {
		if (this.closed) {
			throw new RejectedExecutionException("the retry scheduler is closed");
		}
		// A task that is a Callable as well is queued as it is, without an adapter object: an
		// asynchronous call waiting for its retry is one, and a few bytes less for each counts.
		ScheduledFuture<?> scheduled = (task instanceof Callable<?> callable)
				? this.executor.schedule(callable, delayNanos, TimeUnit.NANOSECONDS)
				: this.executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
		if (this.closed && this.executor.remove((Runnable) scheduled)) {
			// close() began while this was being queued and may not have seen it: run it now.
			runClosing((Runnable) scheduled);
		}
		return scheduled;
	}

	/** The threads this scheduler has now. */
	public int getThreadCount() {
		return this.executor.getPoolSize();
	}

	/** The most threads this scheduler has had at once: never more than it was built with. */
	public int getLargestThreadCount() {
		return this.executor.getLargestPoolSize();
	}

	/** Tasks waiting for their time. */
	public int getQueuedTasks() {
		return this.executor.getQueue().size();
	}

	/** Whether {@link #close()} was called. */
	@Override
	public boolean isClosed() {
		return this.closed;
	}

	/**
	 * A sleeper for synchronous calls that wakes when this scheduler closes, so that a call
	 * sleeping before its next attempt ends at once at shutdown (it then sees {@link #isClosed()}).
	 */
	public Sleeper sleeper() {
		return (nanos) -> this.closing.await(nanos, TimeUnit.NANOSECONDS);
	}

	/**
	 * Stops the scheduler. Every task still waiting for its time runs now, on this thread, and sees
	 * {@link #isClosed()}: the calls waiting for a retry end at once with their last failure (or
	 * their fallback) instead of hanging. Then waits up to a second for the threads to stop.
	 */
	@Override
	public void close() {
		this.closed = true;
		this.closing.countDown();
		for (Runnable waiting : this.executor.getQueue().toArray(new Runnable[0])) {
			if (this.executor.remove(waiting)) {
				runClosing(waiting);
			}
		}
		this.executor.shutdown();
		try {
			if (!this.executor.awaitTermination(1, TimeUnit.SECONDS)) {
				this.executor.shutdownNow();
			}
		}
		catch (InterruptedException ex) {
			this.executor.shutdownNow();
			Thread.currentThread().interrupt();
		}
	}

	private static void runClosing(Runnable waiting) {
		try {
			waiting.run();
		}
		catch (RuntimeException ex) {
			// One call's end never keeps the others from ending.
		}
	}

	@Override
	public String toString() {
		return "DaemonScheduler[threads=" + this.executor.getCorePoolSize() + "]";
	}

}
