package dev.retry.sample.downstream;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A simulated inventory service, on this application's own port, whose failure mode can be
 * switched at run time: {@code PUT /downstream/inventory/mode} with {@code "HEALTHY"},
 * {@code "FLAKY"} or {@code "DOWN"}.
 */
@RestController
@RequestMapping("/downstream/inventory")
public class InventoryDownstream {

	private final AtomicInteger requests = new AtomicInteger();

	private volatile FailureMode mode = FailureMode.FLAKY;

	@GetMapping("/{sku}")
	public ResponseEntity<Map<String, Object>> stock(@PathVariable String sku) {
		int request = this.requests.incrementAndGet();
		boolean fail = switch (this.mode) {
			case HEALTHY -> false;
			case FLAKY -> request % 3 != 0;
			case DOWN -> true;
		};
		if (fail) {
			return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).build();
		}
		return ResponseEntity.ok(Map.of("sku", sku, "available", Math.abs(sku.hashCode() % 50)));
	}

	@PutMapping("/mode")
	public FailureMode switchMode(@RequestBody FailureMode mode) {
		this.mode = mode;
		this.requests.set(0);
		return mode;
	}

	/** Requests received since the mode was last set. */
	public int requests() {
		return this.requests.get();
	}

}
