package dev.retry.sample.inventory;

import java.util.List;

import dev.retry.annotation.Retryable;

import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Service;

/**
 * A deliberate mistake, shown only with the profile {@code self-invocation-demo}: {@link #planAll}
 * calls {@link #plan} on {@code this}, which bypasses the Spring proxy, so {@code @Retryable} does
 * not apply to those calls. The starter reports it at start-up:
 * <pre>
 * RestockPlanner.planAll() calls plan(String) on this: @Retryable does not apply to that call. ...
 * </pre>
 * Run with {@code --spring.profiles.active=self-invocation-demo} to see it.
 */
@Service
@Profile("self-invocation-demo")
public class RestockPlanner {

	private final InventoryClient inventory;

	public RestockPlanner(InventoryClient inventory) {
		this.inventory = inventory;
	}

	@Retryable(policy = "network")
	public int plan(String sku) {
		return Math.max(0, 20 - this.inventory.stock(sku).available());
	}

	public int planAll(List<String> skus) {
		return skus.stream().mapToInt(this::plan).sum();
	}

}
