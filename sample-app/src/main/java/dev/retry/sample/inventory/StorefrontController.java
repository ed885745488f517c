package dev.retry.sample.inventory;

import java.util.Map;

import dev.retry.CircuitBreakerOpenException;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClientException;

/** The shop's own API. */
@RestController
public class StorefrontController {

	private final InventoryClient inventory;

	public StorefrontController(InventoryClient inventory) {
		this.inventory = inventory;
	}

	@GetMapping("/api/products/{sku}/stock")
	public Stock stock(@PathVariable String sku) {
		return this.inventory.stock(sku);
	}

	/** The breaker is open and nothing is known of this product: say when to come back. */
	@ExceptionHandler(CircuitBreakerOpenException.class)
	ResponseEntity<Map<String, String>> inventoryCircuitOpen(CircuitBreakerOpenException rejected) {
		long seconds = Math.max(1, rejected.getUntilHalfOpen().toSeconds());
		return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
			.header("Retry-After", String.valueOf(seconds))
			.body(Map.of("error", "inventory unavailable", "cause", String.valueOf(rejected.getMessage())));
	}

	/** The inventory failed even after its retries: say so, without a stack trace. */
	@ExceptionHandler(RestClientException.class)
	ResponseEntity<Map<String, String>> inventoryUnavailable(RestClientException failure) {
		return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
			.body(Map.of("error", "inventory unavailable", "cause", String.valueOf(failure.getMessage())));
	}

}
