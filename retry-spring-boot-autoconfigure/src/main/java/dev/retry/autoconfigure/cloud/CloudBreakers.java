package dev.retry.autoconfigure.cloud;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.breaker.CircuitBreaker;
import org.jspecify.annotations.Nullable;

/**
 * The breakers Spring Cloud asks for by id, each as one adapter made once: OpenFeign asks on
 * every call, so finding an id's adapter again takes one map look-up and allocates nothing.
 * @param <A> the adapter: Spring Cloud's blocking or reactive circuit breaker
 */
final class CloudBreakers<A> {

	/** Why a circuit breaker cannot be configured through Spring Cloud's factory API. */
	static final String CONFIGURED_BY_PROPERTIES = "Circuit breakers of the dev.retry starter are configured under "
			+ "retry.circuit-breakers.<id> (and retry.circuit-breakers.default for every id with no configuration of "
			+ "its own), not through the factory: move these settings there, or define a CircuitBreakerFactory bean of "
			+ "another implementation.";

	private final CircuitBreakerRegistry registry;

	private final Function<CircuitBreaker, A> adapter;

	private final Map<String, A> adapters = new ConcurrentHashMap<>();

	CloudBreakers(CircuitBreakerRegistry registry, Function<CircuitBreaker, A> adapter) {
		this.registry = registry;
		this.adapter = adapter;
	}

	/** The breaker of this id, made the first time the id is asked for. */
	A get(@Nullable String id) {
		if (id == null) {
			throw new IllegalArgumentException("A circuit breaker id is required (a Gateway route's CircuitBreaker filter "
					+ "takes its route's id when it names none)");
		}
		A found = this.adapters.get(id);
		return (found != null) ? found
				: this.adapters.computeIfAbsent(id, (name) -> this.adapter.apply(this.registry.getOrCreate(name)));
	}

}
