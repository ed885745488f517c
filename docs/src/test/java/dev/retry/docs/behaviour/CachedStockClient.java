package dev.retry.docs.behaviour;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import dev.retry.annotation.Retryable;

import org.springframework.web.client.ResourceAccessException;

/** The guide's fallback example: the failing call is a function the test sets. */
class CachedStockClient {

	private final AtomicInteger calls = new AtomicInteger();

	private final Map<String, Integer> cache = new ConcurrentHashMap<>(Map.of("sku-1", 7));

	private Function<String, Integer> downstream = (sku) -> 1;

	void setDownstream(Function<String, Integer> downstream) {
		this.downstream = downstream;
	}

	int calls() {
		return this.calls.get();
	}

	// tag::fallback[]
	@Retryable(policy = "network", fallback = "cachedStock")
	public int stock(String sku) {
		return quantityFromInventory(sku);
	}

	// only a ResourceAccessException (the inventory unreachable) comes here; others reach the caller
	int cachedStock(String sku, ResourceAccessException failure) {
		return cache.getOrDefault(sku, 0);
	}
	// end::fallback[]

	private int quantityFromInventory(String sku) {
		this.calls.incrementAndGet();
		return this.downstream.apply(sku);
	}

}
