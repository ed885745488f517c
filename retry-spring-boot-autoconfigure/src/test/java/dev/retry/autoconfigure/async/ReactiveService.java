package dev.retry.autoconfigure.async;

import java.net.ConnectException;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.annotation.CircuitBreaker;
import dev.retry.annotation.Retryable;
import dev.retry.execution.RetryContext;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Cold publishers failing their first {@code failures} subscriptions. */
public class ReactiveService {

	private final AtomicInteger invocations = new AtomicInteger();

	private final AtomicInteger subscriptions = new AtomicInteger();

	private volatile int failures = 2;

	@Retryable(policy = "network")
	public Mono<String> price(String sku) {
		this.invocations.incrementAndGet();
		return Mono.deferContextual((context) -> {
			int subscription = this.subscriptions.incrementAndGet();
			if (subscription <= this.failures) {
				return Mono.error(new ConnectException("refused #" + subscription));
			}
			return Mono.just(sku + " costs 9.99, attempt " + context.get(RetryContext.class).getAttempt());
		});
	}

	@Retryable(policy = "network")
	public Flux<String> lines() {
		this.invocations.incrementAndGet();
		return Flux.defer(() -> (this.subscriptions.incrementAndGet() <= this.failures)
				? Flux.just("line 1").concatWith(Flux.error(new ConnectException("connection reset")))
				: Flux.just("line 1", "line 2"));
	}

	@CircuitBreaker(name = "inventory", fallback = "listPrice")
	public Mono<String> breakerPrice(String sku) {
		return Mono.defer(() -> {
			this.subscriptions.incrementAndGet();
			return Mono.error(new ConnectException("refused"));
		});
	}

	Mono<String> listPrice(String sku, Throwable failure) {
		return Mono.just(sku + " list price (" + failure.getClass().getSimpleName() + ")");
	}

	public int invocations() {
		return this.invocations.get();
	}

	public int subscriptions() {
		return this.subscriptions.get();
	}

	public void failures(int failures) {
		this.failures = failures;
	}

}
