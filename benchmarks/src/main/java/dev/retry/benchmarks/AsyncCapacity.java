package dev.retry.benchmarks;

import java.lang.management.ManagementFactory;
import java.net.ConnectException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.Supplier;

import dev.retry.backoff.Jitter;
import dev.retry.execution.RetryExecutor;
import dev.retry.execution.RetryRuntime;
import dev.retry.policy.RetryPolicy;
import dev.retry.time.DaemonScheduler;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;

/**
 * Heap held by asynchronous calls waiting for a retry: 100,000 {@code CompletableFuture} calls whose
 * first attempt failed, each waiting an hour for its second, on 2 scheduler threads; ours beside
 * Resilience4j's {@code Retry.decorateCompletionStage}. Retained heap is read after full GCs, before
 * and while the calls wait, and divided by the number of calls (the caller's array of futures, 4
 * bytes a call, is counted for both). Every attempt fails with the same preallocated exception. Run with {@code benchmarks/run.sh} (or this class's main).
 */
public final class AsyncCapacity {

	private static final int CALLS = 100_000;

	private AsyncCapacity() {
	}

	public static void main(String[] args) {
		System.out.printf(Locale.ROOT, "%nAsync capacity: %,d calls waiting for a retry at once, 2 scheduler threads%n", CALLS);
		System.out.printf(Locale.ROOT, "| contender | heap per waiting call | still scheduled after every caller cancelled |%n|---|---|---|%n");
		System.out.println("| ours | " + ours() + " |");
		System.out.println("| Resilience4j 2.4 | " + resilience4j() + " |");
	}

	private static String ours() {
		try (DaemonScheduler scheduler = new DaemonScheduler(2)) {
			RetryExecutor executor = RetryExecutor.builder("Inventory.fetch",
					RetryPolicy.builder("network").maxAttempts(3).baseDelay(Duration.ofHours(1))
						.maxDelay(Duration.ofHours(1)).jitter(Jitter.NONE).build())
				.runtime(RetryRuntime.defaults().withScheduler(scheduler))
				.build();
			return perCall(() -> executor.callAsync(null, (context, attempt) -> failed(), null), scheduler::getQueuedTasks);
		}
	}

	private static String resilience4j() {
		ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(2);
		try {
			Retry retry = Retry.of("network", RetryConfig.custom().maxAttempts(3).waitDuration(Duration.ofHours(1))
				.retryExceptions(ConnectException.class).build());
			return perCall(() -> Retry.decorateCompletionStage(retry, scheduler, AsyncCapacity::failed).get()
				.toCompletableFuture(), () -> scheduler.getQueue().size());
		}
		finally {
			scheduler.shutdownNow();
		}
	}

	/** One failure for every call, so that what is measured is the library's own state, not the exception's. */
	private static final ConnectException REFUSED = new ConnectException("refused");

	private static CompletionStage<Integer> failed() {
		return CompletableFuture.failedFuture(REFUSED);
	}

	/** Heap per waiting call, and the retries still scheduled once every caller cancelled its future. */
	private static String perCall(Supplier<CompletableFuture<?>> call, Supplier<Integer> waiting) {
		// Warm up the code paths, then measure from a clean heap.
		for (int i = 0; i < 1_000; i++) {
			call.get().cancel(true);
		}
		long before = usedAfterGc();
		CompletableFuture<?>[] calls = new CompletableFuture<?>[CALLS];
		for (int i = 0; i < CALLS; i++) {
			calls[i] = call.get();
		}
		long after = usedAfterGc();
		if (waiting.get() < CALLS) {
			throw new IllegalStateException("only " + waiting.get() + " calls are waiting");
		}
		double perCall = (after - before) / (double) CALLS;
		for (CompletableFuture<?> waitingCall : calls) {
			waitingCall.cancel(true);
		}
		return String.format(Locale.ROOT, "%.0f B | %,d", perCall, waiting.get());
	}

	private static long usedAfterGc() {
		for (int i = 0; i < 4; i++) {
			System.gc();
		}
		return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
	}

}
