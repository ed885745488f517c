package dev.retry.autoconfigure.config;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.retry.autoconfigure.diagnostics.RetryConfigurationException;
import dev.retry.breaker.CircuitBreaker;
import org.jspecify.annotations.Nullable;

/**
 * Every circuit breaker of the application, one per configured name, created once at start-up and
 * shared by every method that names it. Never creates a breaker on demand.
 */
public final class CircuitBreakerRegistry {

	private final Map<String, CircuitBreaker> breakers;

	public CircuitBreakerRegistry(Map<String, CircuitBreaker> breakers) {
		this.breakers = Map.copyOf(breakers);
	}

	/** Names of all breakers, sorted. */
	public Set<String> names() {
		return new TreeSet<>(this.breakers.keySet());
	}

	public Collection<CircuitBreaker> all() {
		return this.breakers.values();
	}

	public @Nullable CircuitBreaker find(String name) {
		return this.breakers.get(name);
	}

	/**
	 * The breaker a method names.
	 * @throws RetryConfigurationException naming the configured breakers when there is no such breaker
	 */
	public CircuitBreaker get(String name, String usedBy) {
		CircuitBreaker breaker = this.breakers.get(name);
		if (breaker == null) {
			String known = this.breakers.isEmpty() ? "None is configured."
					: "Configured circuit breakers: " + String.join(", ", names()) + ".";
			throw new RetryConfigurationException("@CircuitBreaker(name = \"" + name + "\") on " + usedBy
					+ " names no configured circuit breaker. " + known,
					"Declare it under retry.circuit-breakers." + name + " with at least one key (for example retry.circuit-breakers."
							+ name + ".failure-threshold=5); keys left out take their defaults.");
		}
		return breaker;
	}

}
