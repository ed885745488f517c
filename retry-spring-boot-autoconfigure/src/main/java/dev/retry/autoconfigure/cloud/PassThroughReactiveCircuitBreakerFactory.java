package dev.retry.autoconfigure.cloud;

import java.util.function.Function;

import dev.retry.breaker.CircuitBreakerConfig;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.cloud.client.circuitbreaker.ConfigBuilder;
import org.springframework.cloud.client.circuitbreaker.ReactiveCircuitBreaker;
import org.springframework.cloud.client.circuitbreaker.ReactiveCircuitBreakerFactory;

/**
 * Spring Cloud's {@link ReactiveCircuitBreakerFactory} with {@code retry.enabled=false}, as
 * {@link PassThroughCircuitBreakerFactory}: Gateway routes with a {@code CircuitBreaker} filter
 * still start and run, each request sent on, the route's fallback answering its own failure only.
 */
public class PassThroughReactiveCircuitBreakerFactory
		extends ReactiveCircuitBreakerFactory<CircuitBreakerConfig, ConfigBuilder<CircuitBreakerConfig>> {

	private static final ReactiveCircuitBreaker PASS_THROUGH = new ReactiveCircuitBreaker() {

		@Override
		public <T> Mono<T> run(Mono<T> toRun, Function<Throwable, Mono<T>> fallback) {
			return toRun.onErrorResume(fallback);
		}

		@Override
		public <T> Flux<T> run(Flux<T> toRun, Function<Throwable, Flux<T>> fallback) {
			return toRun.onErrorResume(fallback);
		}

		@Override
		public String toString() {
			return "PassThroughReactiveCircuitBreaker (retry.enabled=false)";
		}

	};

	/** The one pass-through breaker, whatever the id: it keeps nothing per id. */
	@Override
	public ReactiveCircuitBreaker create(String id) {
		return PASS_THROUGH;
	}

	/** @throws UnsupportedOperationException always, as with the library on: see {@link CloudBreakers#CONFIGURED_BY_PROPERTIES} */
	@Override
	protected ConfigBuilder<CircuitBreakerConfig> configBuilder(String id) {
		throw new UnsupportedOperationException(CloudBreakers.CONFIGURED_BY_PROPERTIES);
	}

	/** @throws UnsupportedOperationException always, as with the library on: see {@link CloudBreakers#CONFIGURED_BY_PROPERTIES} */
	@Override
	public void configureDefault(Function<String, CircuitBreakerConfig> defaultConfiguration) {
		throw new UnsupportedOperationException(CloudBreakers.CONFIGURED_BY_PROPERTIES);
	}

}
