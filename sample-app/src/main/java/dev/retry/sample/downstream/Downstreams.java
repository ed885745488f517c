package dev.retry.sample.downstream;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Component;

/** The simulated downstreams of the storefront, by name. */
@Component
public class Downstreams {

	private final Map<String, Downstream> byName = new LinkedHashMap<>();

	public Downstreams() {
		add(new Downstream("inventory", "Inventory service: stock per product (HTTP)", FailureMode.FLAKY));
		add(new Downstream("pricing", "Pricing API: rate-limited, answers 429 with Retry-After (HTTP)",
				FailureMode.RATE_LIMITED));
		add(new Downstream("files", "File server: large downloads with Range (HTTP)", FailureMode.HEALTHY));
		add(new Downstream("catalog", "Catalog database: product details (in-process)", FailureMode.HEALTHY));
	}

	private void add(Downstream downstream) {
		this.byName.put(downstream.getName(), downstream);
	}

	/**
	 * @throws IllegalArgumentException naming the downstreams there are
	 */
	public Downstream get(String name) {
		Downstream downstream = this.byName.get(name);
		if (downstream == null) {
			throw new IllegalArgumentException("No downstream '" + name + "'; there are " + this.byName.keySet());
		}
		return downstream;
	}

	public List<Downstream> all() {
		return List.copyOf(this.byName.values());
	}

}
