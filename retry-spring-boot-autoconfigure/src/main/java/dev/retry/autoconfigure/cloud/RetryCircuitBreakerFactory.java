package dev.retry.autoconfigure.cloud;

import java.util.function.Function;

import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.breaker.CircuitBreakerConfig;

import org.springframework.cloud.client.circuitbreaker.CircuitBreakerFactory;
import org.springframework.cloud.client.circuitbreaker.ConfigBuilder;

/**
 * Spring Cloud's {@link CircuitBreakerFactory} on our breakers: {@code create("inventory")} is the
 * breaker {@code retry.circuit-breakers.inventory}, the very one {@code @CircuitBreaker(name =
 * "inventory")} uses; an id with no configuration of its own (OpenFeign's
 * {@code InventoryClient#stock(String)}) is a breaker made on first use, configured as
 * {@code retry.circuit-breakers.default}. Either way it has the meters, endpoint, health, runtime
 * tuning and fleet of every breaker. Breakers are configured by properties only: the factory's
 * {@code configure} and {@code configureDefault} refuse, saying where the settings go.
 */
public class RetryCircuitBreakerFactory
		extends CircuitBreakerFactory<CircuitBreakerConfig, ConfigBuilder<CircuitBreakerConfig>> {

	private final CloudBreakers<CloudCircuitBreaker> breakers;

	public RetryCircuitBreakerFactory(CircuitBreakerRegistry registry) {
		this.breakers = new CloudBreakers<>(registry, CloudCircuitBreaker::new);
	}

	@Override
	public CloudCircuitBreaker create(String id) {
		return this.breakers.get(id);
	}

	/** @throws UnsupportedOperationException always: see {@link CloudBreakers#CONFIGURED_BY_PROPERTIES} */
	@Override
	protected ConfigBuilder<CircuitBreakerConfig> configBuilder(String id) {
		throw new UnsupportedOperationException(CloudBreakers.CONFIGURED_BY_PROPERTIES);
	}

	/** @throws UnsupportedOperationException always: see {@link CloudBreakers#CONFIGURED_BY_PROPERTIES} */
	@Override
	public void configureDefault(Function<String, CircuitBreakerConfig> defaultConfiguration) {
		throw new UnsupportedOperationException(CloudBreakers.CONFIGURED_BY_PROPERTIES);
	}

}
