package dev.retry.autoconfigure.cloud;

import java.util.function.Function;
import java.util.function.Supplier;

import dev.retry.breaker.CircuitBreakerConfig;

import org.springframework.cloud.client.circuitbreaker.CircuitBreaker;
import org.springframework.cloud.client.circuitbreaker.CircuitBreakerFactory;
import org.springframework.cloud.client.circuitbreaker.ConfigBuilder;

/**
 * Spring Cloud's {@link CircuitBreakerFactory} with {@code retry.enabled=false}: every id gets a
 * breaker that never opens, so that OpenFeign clients still run, their fallbacks included, with the
 * library switched off. Each call is made once; its fallback answers its own failure only (there is
 * no rejection), an {@link Error} reaches the caller, and an {@link InterruptedException} leaves the
 * thread interrupted, as with the breakers themselves.
 */
public class PassThroughCircuitBreakerFactory
		extends CircuitBreakerFactory<CircuitBreakerConfig, ConfigBuilder<CircuitBreakerConfig>> {

	private static final CircuitBreaker PASS_THROUGH = new CircuitBreaker() {

		@Override
		public <T> T run(Supplier<T> toRun, Function<Throwable, T> fallback) {
			try {
				return toRun.get();
			}
			catch (Error error) {
				throw error;
			}
			catch (Throwable failure) {
				return CloudCircuitBreaker.fallBack(failure, fallback);
			}
		}

		@Override
		public String toString() {
			return "PassThroughCircuitBreaker (retry.enabled=false)";
		}

	};

	/** The one pass-through breaker, whatever the id: it keeps nothing per id. */
	@Override
	public CircuitBreaker create(String id) {
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
