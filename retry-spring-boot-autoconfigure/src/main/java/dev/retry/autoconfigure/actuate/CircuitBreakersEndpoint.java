package dev.retry.autoconfigure.actuate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.autoconfigure.config.RetryTuning;
import dev.retry.autoconfigure.diagnostics.RetryConfigurationException;
import dev.retry.autoconfigure.fleet.FleetView;
import dev.retry.breaker.CircuitBreaker;
import dev.retry.breaker.CircuitBreakerConfig;
import dev.retry.internal.Durations;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/**
 * {@code /actuator/circuitbreakers}: each breaker's state, counts, failure rate, time until
 * half-open and configuration; {@code POST /{name}} with {@code {"action": "open" | "close" |
 * "reset"}} forces a state, with {@code {"configuration": {...breaker keys...}}} re-tunes it (its
 * state and counts stay), on every instance of a fleet unless {@code "scope": "local"};
 * {@code DELETE /{name}} drops the configuration overrides. Never creates a breaker.
 */
@Endpoint(id = "circuitbreakers")
public class CircuitBreakersEndpoint {

	private static final List<String> ACTIONS = List.of("open", "close", "reset");

	private static final String CONFIGURATION = "configuration.";

	private final CircuitBreakerRegistry breakers;

	private final RetryTuning tuning;

	private final @Nullable FleetView fleet;

	public CircuitBreakersEndpoint(CircuitBreakerRegistry breakers, RetryTuning tuning, @Nullable FleetView fleet) {
		this.breakers = breakers;
		this.tuning = tuning;
		this.fleet = fleet;
	}

	@ReadOperation
	public Map<String, BreakerDescriptor> breakers() {
		Map<String, BreakerDescriptor> all = new LinkedHashMap<>();
		for (String name : this.breakers.names()) {
			all.put(name, describe(this.breakers.find(name), this.fleet));
		}
		return all;
	}

	/** One breaker; {@code null} (a 404) when there is none of that name. */
	@ReadOperation
	public @Nullable BreakerDescriptor breaker(@Selector String name) {
		CircuitBreaker breaker = this.breakers.find(name);
		return (breaker != null) ? describe(breaker, this.fleet) : null;
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
		WebEndpointResponse<Object> nullField = WholeBody.nullField(given);
		if (nullField != null) {
			return nullField;
		}
		String action = given.get("action");
		Map<String, String> configuration = new LinkedHashMap<>();
		for (Map.Entry<String, String> entry : given.entrySet()) {
			if (entry.getKey().startsWith(CONFIGURATION)) {
				configuration.put(entry.getKey().substring(CONFIGURATION.length()), entry.getValue());
			}
			else if (!entry.getKey().equals("action") && !entry.getKey().equals("scope")) {
				return new WebEndpointResponse<>(Map.of("error", "Unknown field '" + entry.getKey()
						+ "'. Allowed: action (" + String.join(", ", ACTIONS) + "), scope (fleet, local), configuration (an object of "
						+ String.join(", ", RetryTuning.breakerKeys()) + ")."), WebEndpointResponse.STATUS_BAD_REQUEST);
			}
		}
		String scope = given.getOrDefault("scope", "fleet").toLowerCase(Locale.ROOT);
		if (!scope.equals("fleet") && !scope.equals("local")) {
			return new WebEndpointResponse<>(Map.of("error", "Unknown scope '" + given.get("scope")
					+ "'. Allowed: fleet (every instance sharing the breaker, the default), local (this instance only)."),
					WebEndpointResponse.STATUS_BAD_REQUEST);
		}
		boolean here = scope.equals("local");
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
				this.tuning.overrideBreaker(name, configuration, "actuator", !here);
			}
			catch (RetryConfigurationException ex) {
				return WholeBody.badRequest(ex);
			}
		}
		if (action == null) {
			return new WebEndpointResponse<>(describe(breaker, this.fleet), WebEndpointResponse.STATUS_OK);
		}
		switch (action.toLowerCase(Locale.ROOT)) {
			case "open" -> {
				if (here) {
					breaker.forceOpenHere();
				}
				else {
					breaker.forceOpen();
				}
			}
			case "close" -> {
				if (here) {
					breaker.closeHere();
				}
				else {
					breaker.close();
				}
			}
			case "reset" -> {
				if (here) {
					breaker.resetHere();
				}
				else {
					breaker.reset();
				}
			}
		}
		return new WebEndpointResponse<>(describe(breaker, this.fleet), WebEndpointResponse.STATUS_OK);
	}

	/**
	 * Drops the configuration overrides of a breaker (on every instance of a fleet); its state and
	 * counts stay: 404 for an unknown breaker, 400 with the start-up message when the configuration
	 * it would restore is invalid (then nothing changed).
	 */
	@DeleteOperation
	public WebEndpointResponse<Object> clear(@Selector String name) {
		CircuitBreaker breaker = this.breakers.find(name);
		if (breaker == null) {
			return new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
		}
		try {
			this.tuning.clearBreaker(name, "actuator");
		}
		catch (RetryConfigurationException ex) {
			return WholeBody.badRequest(ex);
		}
		return new WebEndpointResponse<>(describe(breaker, this.fleet), WebEndpointResponse.STATUS_OK);
	}

	static BreakerDescriptor describe(CircuitBreaker breaker, @Nullable FleetView fleet) {
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
				configuration, breaker.getLink().isShared() ? "fleet" : "local", breaker.getOpenedBy(),
				(fleet != null && breaker.getLink().isShared()) ? new Fleet(fleet.getName(), fleet.getInstance(),
						fleet.isLinked() ? "up" : "down", fleet.getMembers(), fleet.getIgnoredMessages()) : null);
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
	 * @param scope fleet (shared by every instance of the fleet) or local
	 * @param openedBy the instance that opened it, when another one did
	 * @param fleet the fleet it is shared with, for a breaker of scope fleet
	 */
	public record BreakerDescriptor(String name, String state, boolean forcedOpen, @Nullable Long untilHalfOpenMillis,
			float failureRate, int consecutiveFailures, Counts calls, Map<String, Object> configuration, String scope,
			@Nullable String openedBy, @Nullable Fleet fleet) {
	}

	/**
	 * @param name the fleet's name
	 * @param instance this instance's name in it
	 * @param link up while Redis answers, else down
	 * @param members instances seen in the last few seconds
	 * @param ignoredMessages messages from Redis ignored: malformed, of another fleet, or about a breaker not shared here
	 */
	public record Fleet(String name, String instance, String link, List<String> members, long ignoredMessages) {
	}

	public record Counts(long success, long failure, long ignored, long rejected) {
	}

}
