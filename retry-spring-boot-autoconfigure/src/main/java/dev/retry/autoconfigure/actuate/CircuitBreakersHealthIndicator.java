package dev.retry.autoconfigure.actuate;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.breaker.CircuitBreaker;
import dev.retry.breaker.State;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health contributor {@code circuitBreakers}: details per breaker. UP while breakers are open (an
 * open breaker is the application protecting itself), unless {@code retry.health.down-when-open}
 * is true: then DOWN while any is open.
 */
public class CircuitBreakersHealthIndicator implements HealthIndicator {

	private final CircuitBreakerRegistry breakers;

	private final boolean downWhenOpen;

	public CircuitBreakersHealthIndicator(CircuitBreakerRegistry breakers, boolean downWhenOpen) {
		this.breakers = breakers;
		this.downWhenOpen = downWhenOpen;
	}

	@Override
	public Health health() {
		boolean anyOpen = false;
		Map<String, Object> details = new LinkedHashMap<>();
		for (String name : this.breakers.names()) {
			CircuitBreaker breaker = this.breakers.find(name);
			State state = breaker.getState();
			anyOpen |= state == State.OPEN;
			Map<String, Object> detail = new LinkedHashMap<>();
			detail.put("state", state.tag());
			detail.put("failureRate", breaker.getFailureRate());
			detail.put("consecutiveFailures", breaker.getConsecutiveFailures());
			if (state == State.OPEN && !breaker.isForcedOpen()) {
				detail.put("untilHalfOpenMillis", breaker.untilHalfOpen().toMillis());
			}
			details.put(name, detail);
		}
		Health.Builder health = (anyOpen && this.downWhenOpen) ? Health.down() : Health.up();
		return health.withDetails(details).build();
	}

}
