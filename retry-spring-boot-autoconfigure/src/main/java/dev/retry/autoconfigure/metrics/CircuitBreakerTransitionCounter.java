package dev.retry.autoconfigure.metrics;

import dev.retry.breaker.CircuitBreakerListener;
import dev.retry.breaker.State;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import static dev.retry.autoconfigure.metrics.RetryMeterNames.BREAKER_TRANSITIONS;
import static dev.retry.autoconfigure.metrics.RetryMeterNames.BREAKER_TRANSITIONS_DESCRIPTION;
import static dev.retry.autoconfigure.metrics.RetryMeterNames.TAG_FROM;
import static dev.retry.autoconfigure.metrics.RetryMeterNames.TAG_NAME;
import static dev.retry.autoconfigure.metrics.RetryMeterNames.TAG_TO;

/** Counts {@code circuitbreaker.transitions}. Transitions are rare: the counter is found when one happens. */
public final class CircuitBreakerTransitionCounter implements CircuitBreakerListener {

	private final MeterRegistry registry;

	public CircuitBreakerTransitionCounter(MeterRegistry registry) {
		this.registry = registry;
	}

	@Override
	public void onStateChange(String breaker, State from, State to, String reason) {
		try {
			Counter.builder(BREAKER_TRANSITIONS)
				.description(BREAKER_TRANSITIONS_DESCRIPTION)
				.tag(TAG_NAME, breaker)
				.tag(TAG_FROM, from.tag())
				.tag(TAG_TO, to.tag())
				.register(this.registry)
				.increment();
		}
		catch (RuntimeException ex) {
			// Recording a metric never breaks a call.
		}
	}

}
