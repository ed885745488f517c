package dev.retry.autoconfigure.async;

import java.net.ConnectException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.annotation.CircuitBreaker;
import dev.retry.annotation.Retryable;
import dev.retry.execution.RetryContext;

/** Methods returning futures, no Reactor in sight: fail the first {@code failures} attempts. */
public class FutureService {

	private final AtomicInteger calls = new AtomicInteger();

	private volatile int failures = 2;

	@Retryable(policy = "network")
	public CompletableFuture<String> stock(String sku) {
		int call = this.calls.incrementAndGet();
		if (call <= this.failures) {
			return CompletableFuture.failedFuture(new ConnectException("refused #" + call));
		}
		return CompletableFuture.completedFuture(sku + ": 12 in stock, attempt " + RetryContext.current().getAttempt());
	}

	@Retryable(policy = "network")
	public CompletionStage<String> invalid() {
		this.calls.incrementAndGet();
		return CompletableFuture.failedFuture(new IllegalArgumentException("sku must not be blank"));
	}

	@CircuitBreaker(name = "inventory", fallback = "cachedStock")
	public CompletableFuture<String> breakerStock(String sku) {
		this.calls.incrementAndGet();
		return CompletableFuture.failedFuture(new ConnectException("refused"));
	}

	CompletableFuture<String> cachedStock(String sku, Throwable failure) {
		return CompletableFuture.completedFuture(sku + ": 3 (cached, " + failure.getClass().getSimpleName() + ")");
	}

	public int calls() {
		return this.calls.get();
	}

	public void failures(int failures) {
		this.failures = failures;
	}

}
