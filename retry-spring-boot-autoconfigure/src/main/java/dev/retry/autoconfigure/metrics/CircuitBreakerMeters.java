package dev.retry.autoconfigure.metrics;

import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.breaker.CircuitBreaker;
import dev.retry.breaker.State;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import static dev.retry.autoconfigure.metrics.RetryMeterNames.BREAKER_CALLS;
import static dev.retry.autoconfigure.metrics.RetryMeterNames.BREAKER_CALLS_DESCRIPTION;
import static dev.retry.autoconfigure.metrics.RetryMeterNames.BREAKER_STATE;
import static dev.retry.autoconfigure.metrics.RetryMeterNames.BREAKER_STATE_DESCRIPTION;
import static dev.retry.autoconfigure.metrics.RetryMeterNames.TAG_NAME;
import static dev.retry.autoconfigure.metrics.RetryMeterNames.TAG_OUTCOME;
import static dev.retry.autoconfigure.metrics.RetryMeterNames.TAG_STATE;

/**
 * Publishes {@code circuitbreaker.state} (one gauge per state, 1 on the current one) and
 * {@code circuitbreaker.calls} for every breaker, those made on demand included (from the moment
 * they are made). Both read the breaker's own counters when scraped, so calls through the breaker
 * pay nothing for them.
 */
public final class CircuitBreakerMeters {

	public CircuitBreakerMeters(CircuitBreakerRegistry breakers, MeterRegistry registry) {
		breakers.onBreakerAdded((breaker) -> register(registry, breaker));
	}

	private static void register(MeterRegistry registry, CircuitBreaker breaker) {
		for (State state : State.values()) {
			Gauge.builder(BREAKER_STATE, breaker, (b) -> (b.getState() == state) ? 1 : 0)
				.description(BREAKER_STATE_DESCRIPTION)
				.tag(TAG_NAME, breaker.getName())
				.tag(TAG_STATE, state.tag())
				.register(registry);
		}
		calls(registry, breaker, "success", CircuitBreaker::getSuccessCount);
		calls(registry, breaker, "failure", CircuitBreaker::getFailureCount);
		calls(registry, breaker, "ignored", CircuitBreaker::getIgnoredCount);
		calls(registry, breaker, "rejected", CircuitBreaker::getRejectedCount);
	}

	private static void calls(MeterRegistry registry, CircuitBreaker breaker, String outcome,
			java.util.function.ToLongFunction<CircuitBreaker> count) {
		FunctionCounter.builder(BREAKER_CALLS, breaker, (b) -> count.applyAsLong(b))
			.description(BREAKER_CALLS_DESCRIPTION)
			.tag(TAG_NAME, breaker.getName())
			.tag(TAG_OUTCOME, outcome)
			.register(registry);
	}

}
