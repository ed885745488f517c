package dev.retry.autoconfigure.interfaces;

import dev.retry.annotation.CircuitBreaker;
import dev.retry.annotation.Retryable;

import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.annotation.HttpExchange;

/** An HTTP service client as users write one: the annotations on the interface, no class behind it. */
// tag::inventory-api[]
@HttpExchange
public interface InventoryApi {

	@Retryable(policy = "quick")
	@GetExchange("/stock/{sku}")
	String stock(@PathVariable String sku);

	@Retryable(policy = "quick", fallback = "lastKnown")
	@GetExchange("/stock/{sku}")
	String stockOrLastKnown(@PathVariable String sku);

	@CircuitBreaker(name = "inventory")
	@GetExchange("/reserve/{sku}")
	String reserve(@PathVariable String sku);

	@GetExchange("/cache/{sku}")
	String cached(@PathVariable String sku);

	/** The fallback: a default method, run on the proxy, so that its own request goes through the client. */
	default String lastKnown(String sku, Throwable failure) {
		return "last known (" + failure.getClass().getSimpleName() + "): " + cached(sku);
	}

}
// end::inventory-api[]
