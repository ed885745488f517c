package dev.retry.sample.web;

import java.util.Map;

import java.sql.SQLException;

import dev.retry.CircuitBreakerOpenException;
import dev.retry.sample.catalog.CatalogRepository;
import dev.retry.sample.catalog.Product;
import dev.retry.sample.files.Download;
import dev.retry.sample.files.FileDownloader;
import dev.retry.sample.inventory.InventoryClient;
import dev.retry.sample.inventory.Stock;
import dev.retry.sample.pricing.Price;
import dev.retry.sample.pricing.PricingClient;

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

	private final PricingClient pricing;

	private final CatalogRepository catalog;

	private final FileDownloader files;

	public StorefrontController(InventoryClient inventory, PricingClient pricing, CatalogRepository catalog,
			FileDownloader files) {
		this.inventory = inventory;
		this.pricing = pricing;
		this.catalog = catalog;
		this.files = files;
	}

	@GetMapping("/api/products/{sku}")
	public Product product(@PathVariable String sku) throws SQLException {
		return this.catalog.find(sku);
	}

	@GetMapping("/api/products/{sku}/stock")
	public Stock stock(@PathVariable String sku) {
		return this.inventory.stock(sku);
	}

	@GetMapping("/api/products/{sku}/price")
	public Price price(@PathVariable String sku) {
		return this.pricing.price(sku);
	}

	@GetMapping("/api/files/{name}")
	public Download download(@PathVariable String name) {
		return this.files.download(name);
	}

	/** The breaker is open and nothing is known of this product: say when to come back. */
	@ExceptionHandler(CircuitBreakerOpenException.class)
	ResponseEntity<Map<String, String>> inventoryCircuitOpen(CircuitBreakerOpenException rejected) {
		long seconds = Math.max(1, rejected.getUntilHalfOpen().toSeconds());
		return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
			.header("Retry-After", String.valueOf(seconds))
			.body(Map.of("error", "inventory unavailable", "cause", String.valueOf(rejected.getMessage())));
	}

	/** A downstream failed even after its retries: say so, without a stack trace. */
	@ExceptionHandler({ RestClientException.class, SQLException.class })
	ResponseEntity<Map<String, String>> downstreamUnavailable(Exception failure) {
		return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
			.body(Map.of("error", "downstream unavailable", "cause", String.valueOf(failure.getMessage())));
	}

}
