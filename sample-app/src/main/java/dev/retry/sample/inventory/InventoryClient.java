package dev.retry.sample.inventory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.retry.CircuitBreakerOpenException;
import dev.retry.annotation.CircuitBreaker;
import dev.retry.annotation.Retryable;
import dev.retry.sample.downstream.DownstreamClient;

import org.springframework.stereotype.Service;
import org.springframework.web.client.RestClient;

/**
 * Calls the inventory service over HTTP. A 503, a timeout or a refused connection is retried under
 * the {@code network} policy; a 404 is not. Every attempt passes the {@code inventory} breaker:
 * once it opens, calls are answered at once from the last known stock instead of waiting on a
 * dead service.
 */
@Service
public class InventoryClient {

	private final RestClient client;

	private final Map<String, Stock> lastKnown = new ConcurrentHashMap<>();

	public InventoryClient(DownstreamClient client) {
		this.client = client.rest();
	}

	@Retryable(policy = "network")
	@CircuitBreaker(name = "inventory", fallback = "lastKnownStock")
	public Stock stock(String sku) {
		InventoryReply reply = this.client.get()
			.uri("/inventory/{sku}", sku)
			.retrieve()
			.body(InventoryReply.class);
		Stock stock = new Stock(reply.sku(), reply.available(), false);
		this.lastKnown.put(sku, stock);
		return stock;
	}

	/** Only for rejections by the open breaker: other failures still reach the caller. */
	Stock lastKnownStock(String sku, CircuitBreakerOpenException rejected) {
		Stock known = this.lastKnown.get(sku);
		if (known == null) {
			throw rejected;
		}
		return known.asStale();
	}

	/** What the inventory service answers. */
	record InventoryReply(String sku, int available) {
	}

}
