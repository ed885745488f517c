package dev.retry.autoconfigure.fleet;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

/**
 * Runs the fleet's Redis operations on its own few daemon threads, so that a Redis that hangs
 * holds none of the application's, and whoever waits for one waits at most a given time. Two
 * kinds: operations in a pool (bounded: when all its threads are taken, Redis is slow or gone and
 * the operation is not made), and the trial lane, one thread that runs the operations of
 * half-open trials in the order they were asked for (a permit given back goes back before the next
 * trial asks for one).
 */
final class RedisCalls implements AutoCloseable {

	private static final int POOL_THREADS = 4;

	private static final int LANE_CAPACITY = 1024;

	private final ThreadPoolExecutor pool;

	private final ThreadPoolExecutor lane;

	RedisCalls(String name) {
		this.pool = new ThreadPoolExecutor(1, POOL_THREADS, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
				daemons(name));
		this.lane = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(LANE_CAPACITY),
				daemons(name + "-trials"));
	}

	private static ThreadFactory daemons(String name) {
		AtomicInteger count = new AtomicInteger();
		return (task) -> {
			Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		};
	}

	/** Runs {@code operation} in the pool, waiting at most {@code timeoutMillis}; {@code null} when it did not answer. */
	<T> @Nullable T call(Callable<T> operation, long timeoutMillis) {
		return await(this.pool, operation, timeoutMillis);
	}

	/** As {@link #call}, in the trial lane. */
	<T> @Nullable T inLane(Callable<T> operation, long timeoutMillis) {
		return await(this.lane, operation, timeoutMillis);
	}

	/**
	 * Queues {@code operation} in the trial lane without waiting: the future completes with its
	 * answer, or exceptionally when it failed, was not queued, or took longer than {@code timeoutMillis}.
	 */
	<T> CompletableFuture<T> laterInLane(Callable<T> operation, long timeoutMillis) {
		CompletableFuture<T> answer = new CompletableFuture<>();
		try {
			this.lane.execute(() -> {
				try {
					answer.complete(operation.call());
				}
				catch (Exception ex) {
					answer.completeExceptionally(ex);
				}
			});
		}
		catch (RejectedExecutionException ex) {
			answer.completeExceptionally(ex);
		}
		return answer.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS);
	}

	private static <T> @Nullable T await(ThreadPoolExecutor executor, Callable<T> operation, long timeoutMillis) {
		Future<T> result;
		try {
			result = executor.submit(operation);
		}
		catch (RejectedExecutionException ex) {
			return null;
		}
		try {
			return result.get(timeoutMillis, TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			result.cancel(true);
			return null;
		}
		catch (Exception ex) {
			result.cancel(true);
			return null;
		}
	}

	@Override
	public void close() {
		this.pool.shutdownNow();
		this.lane.shutdownNow();
	}

}
