package dev.retry.autoconfigure.interfaces.feign;

import dev.retry.annotation.Retryable;

import org.springframework.cloud.openfeign.FeignClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;

/** A Spring Cloud OpenFeign client: a plain JDK proxy, Feign's own, not a Spring one. */
@FeignClient(name = "inventory", url = "${inventory.url}")
public interface InventoryFeignClient {

	@Retryable(policy = "quick")
	@GetMapping("/stock/{sku}")
	String stock(@PathVariable("sku") String sku);

	@Retryable(policy = "quick", fallback = "unknown")
	@GetMapping("/stock/{sku}")
	String stockOrUnknown(@PathVariable("sku") String sku);

	default String unknown(String sku, Throwable failure) {
		return "unknown " + sku;
	}

	/** Calls an annotated method on this: through the proxy around Feign's, so it is retried too. */
	default String stockOfBoth(String first, String second) {
		return stock(first) + " & " + stock(second);
	}

}
