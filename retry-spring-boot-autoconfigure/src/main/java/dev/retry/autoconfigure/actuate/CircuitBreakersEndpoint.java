package dev.retry.autoconfigure.actuate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.autoconfigure.config.RetryTuning;
import dev.retry.autoconfigure.diagnostics.RetryConfigurationException;
import dev.retry.breaker.CircuitBreaker;
import dev.retry.breaker.CircuitBreakerConfig;
import dev.retry.internal.Durations;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/**
 * {@code /actuator/circuitbreakers}: each breaker's state, counts, failure rate, time until
 * half-open and configuration; {@code POST /{name}} with {@code {"action": "open" | "close" |
 * "reset"}} forces a state, with {@code {"configuration": {...breaker keys...}}} re-tunes it (its
 * state and counts stay). Never creates a breaker.
 */
@Endpoint(id = "circuitbreakers")
public class CircuitBreakersEndpoint {

	private static final List<String> ACTIONS = List.of("open", "close", "reset");

	private static final String CONFIGURATION = "configuration.";

	private final CircuitBreakerRegistry breakers;

	private final RetryTuning tuning;

	public CircuitBreakersEndpoint(CircuitBreakerRegistry breakers, RetryTuning tuning) {
		this.breakers = breakers;
		this.tuning = tuning;
	}

	@ReadOperation
	public Map<String, BreakerDescriptor> breakers() {
		Map<String, BreakerDescriptor> all = new LinkedHashMap<>();
		for (String name : this.breakers.names()) {
			all.put(name, describe(this.breakers.find(name)));
		}
		return all;
	}

	/** One breaker; {@code null} (a 404) when there is none of that name. */
	@ReadOperation
	public @Nullable BreakerDescriptor breaker(@Selector String name) {
		CircuitBreaker breaker = this.breakers.find(name);
		return (breaker != null) ? describe(breaker) : null;
	}

	/**
	 * Re-tunes a breaker ({@code configuration}), then forces a state ({@code action}), either or
	 * both: 404 for an unknown breaker, 400 for an unknown action, key or invalid value (the
	 * start-up message; nothing changed).
	 * @param body the whole JSON body, a nested {@code configuration} flattened to
	 * {@code configuration.<key>} (see {@link WholeBody})
	 */
	@WriteOperation
	public WebEndpointResponse<Object> transition(@Selector String name, @Nullable Map<String, String> body) {
		CircuitBreaker breaker = this.breakers.find(name);
		if (breaker == null) {
			return new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
		}
		Map<String, String> given = (body != null) ? body : Map.of();
		String action = given.get("action");
		Map<String, String> configuration = new LinkedHashMap<>();
		for (Map.Entry<String, String> entry : given.entrySet()) {
			if (entry.getKey().startsWith(CONFIGURATION)) {
				configuration.put(entry.getKey().substring(CONFIGURATION.length()), entry.getValue());
			}
			else if (!entry.getKey().equals("action")) {
				return new WebEndpointResponse<>(Map.of("error", "Unknown field '" + entry.getKey()
						+ "'. Allowed: action (" + String.join(", ", ACTIONS) + "), configuration (an object of "
						+ String.join(", ", RetryTuning.breakerKeys()) + ")."), WebEndpointResponse.STATUS_BAD_REQUEST);
			}
		}
		if (action == null && configuration.isEmpty()) {
			return new WebEndpointResponse<>(Map.of("error", "Give an action (" + String.join(", ", ACTIONS)
					+ ") or a configuration."), WebEndpointResponse.STATUS_BAD_REQUEST);
		}
		if (action != null && !ACTIONS.contains(action.toLowerCase(Locale.ROOT))) {
			return new WebEndpointResponse<>(Map.of("error", "Unknown action '" + action + "'. Allowed: "
					+ String.join(", ", ACTIONS) + "."), WebEndpointResponse.STATUS_BAD_REQUEST);
		}
		if (!configuration.isEmpty()) {
			try {
				this.tuning.overrideBreaker(name, configuration, "actuator");
			}
			catch (RetryConfigurationException ex) {
				return WholeBody.badRequest(ex);
			}
		}
		if (action == null) {
			return new WebEndpointResponse<>(describe(breaker), WebEndpointResponse.STATUS_OK);
		}
		switch (action.toLowerCase(Locale.ROOT)) {
			case "open" -> breaker.forceOpen();
			case "close" -> breaker.close();
			case "reset" -> breaker.reset();
		}
		return new WebEndpointResponse<>(describe(breaker), WebEndpointResponse.STATUS_OK);
	}

	static BreakerDescriptor describe(CircuitBreaker breaker) {
		CircuitBreakerConfig config = breaker.getConfig();
		Map<String, Object> configuration = new LinkedHashMap<>();
		configuration.put("failure-threshold", config.getFailureThreshold());
		configuration.put("failure-rate-threshold", config.getFailureRateThreshold());
		configuration.put("sliding-window-size", config.getSlidingWindowSize());
		configuration.put("minimum-calls", config.getMinimumCalls());
		configuration.put("slow-call-duration", Durations.text(config.getSlowCallDuration()));
		configuration.put("open-duration", Durations.text(config.getOpenDuration()));
		configuration.put("half-open-calls", config.getHalfOpenCalls());
		configuration.put("half-open-max-wait", Durations.text(config.getHalfOpenMaxWait()));
		configuration.put("record-on", config.getRecordOn().stream().map(Class::getName).toList());
		configuration.put("ignore-on", config.getIgnoreOn().stream().map(Class::getName).toList());
		boolean forced = breaker.isForcedOpen();
		return new BreakerDescriptor(breaker.getName(), breaker.getState().tag(), forced,
				forced ? null : breaker.untilHalfOpen().toMillis(), breaker.getFailureRate(), breaker.getConsecutiveFailures(),
				new Counts(breaker.getSuccessCount(), breaker.getFailureCount(), breaker.getIgnoredCount(),
						breaker.getRejectedCount()),
				configuration);
	}

	/**
	 * @param name the breaker
	 * @param state closed, open or half_open
	 * @param forcedOpen opened by hand: stays open until closed or reset
	 * @param untilHalfOpenMillis time until an open breaker half-opens; {@code null} when forced open
	 * @param failureRate percent of failures over the sliding window, -1 when not measured
	 * @param consecutiveFailures failures in a row while closed
	 * @param calls calls counted since start or reset
	 * @param configuration its configuration
	 */
	public record BreakerDescriptor(String name, String state, boolean forcedOpen, @Nullable Long untilHalfOpenMillis,
			float failureRate, int consecutiveFailures, Counts calls, Map<String, Object> configuration) {
	}

	public record Counts(long success, long failure, long ignored, long rejected) {
	}

}
