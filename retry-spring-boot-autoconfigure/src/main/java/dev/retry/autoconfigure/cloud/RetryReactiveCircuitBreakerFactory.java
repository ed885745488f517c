package dev.retry.autoconfigure.cloud;

import java.util.function.Function;

import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.breaker.CircuitBreakerConfig;

import org.springframework.cloud.client.circuitbreaker.ConfigBuilder;
import org.springframework.cloud.client.circuitbreaker.ReactiveCircuitBreakerFactory;

/**
 * Spring Cloud's {@link ReactiveCircuitBreakerFactory} on our breakers, as
 * {@link RetryCircuitBreakerFactory} for blocking calls: the same breakers by the same ids (a
 * Gateway route's {@code CircuitBreaker} filter names its own, or takes the route's id), each
 * {@code Mono} or {@code Flux} subscription one call through the breaker, without blocking.
 */
public class RetryReactiveCircuitBreakerFactory
		extends ReactiveCircuitBreakerFactory<CircuitBreakerConfig, ConfigBuilder<CircuitBreakerConfig>> {

	private final CloudBreakers<CloudReactiveCircuitBreaker> breakers;

	public RetryReactiveCircuitBreakerFactory(CircuitBreakerRegistry registry) {
		this.breakers = new CloudBreakers<>(registry, CloudReactiveCircuitBreaker::new);
	}

	@Override
	public CloudReactiveCircuitBreaker create(String id) {
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
