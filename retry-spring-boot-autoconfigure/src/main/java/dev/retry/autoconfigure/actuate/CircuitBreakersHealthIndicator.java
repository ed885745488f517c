package dev.retry.autoconfigure.actuate;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.autoconfigure.fleet.FleetView;
import dev.retry.breaker.CircuitBreaker;
import dev.retry.breaker.State;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health contributor {@code circuitBreakers}: details per breaker. UP while breakers are open (an
 * open breaker is the application protecting itself), unless {@code retry.health.down-when-open}
 * is true: then DOWN while any is open. With a fleet, the details show its link, and the health
 * stays UP when Redis is gone (every breaker goes on locally).
 */
public class CircuitBreakersHealthIndicator implements HealthIndicator {

	private final CircuitBreakerRegistry breakers;

	private final boolean downWhenOpen;

	private final @Nullable FleetView fleet;

	public CircuitBreakersHealthIndicator(CircuitBreakerRegistry breakers, boolean downWhenOpen) {
		this(breakers, downWhenOpen, null);
	}

	/** @param fleet the fleet whose link the details show, or {@code null} */
	public CircuitBreakersHealthIndicator(CircuitBreakerRegistry breakers, boolean downWhenOpen,
			@Nullable FleetView fleet) {
		this.breakers = breakers;
		this.downWhenOpen = downWhenOpen;
		this.fleet = fleet;
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
		FleetView fleet = this.fleet;
		if (fleet != null) {
			// The link is shown, never a reason to be DOWN: without Redis every breaker goes on locally.
			details.put("fleet", Map.of("name", fleet.getName(), "link", fleet.isLinked() ? "up" : "down", "members",
					fleet.getMembers().size()));
		}
		Health.Builder health = (anyOpen && this.downWhenOpen) ? Health.down() : Health.up();
		return health.withDetails(details).build();
	}

}
