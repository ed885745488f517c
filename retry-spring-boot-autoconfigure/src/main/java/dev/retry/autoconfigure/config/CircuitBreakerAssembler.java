package dev.retry.autoconfigure.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import dev.retry.autoconfigure.config.RetryProperties.Breaker;
import dev.retry.autoconfigure.diagnostics.RetryConfigurationException;
import dev.retry.autoconfigure.logging.CircuitBreakerLogListener;
import dev.retry.breaker.CircuitBreaker;
import dev.retry.breaker.CircuitBreakerConfig;
import dev.retry.breaker.CircuitBreakerListener;
import dev.retry.classify.HttpStatusResolver;
import dev.retry.time.Ticker;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * Turns {@code retry.circuit-breakers.*} into validated, shared breakers: each configured entry a
 * breaker of its own, and {@code retry.circuit-breakers.default} the configuration of every breaker
 * made on demand for a name no entry configures (a Spring Cloud circuit breaker id). Errors name
 * the property at fault, its value, where it was set and what is allowed.
 */
public final class CircuitBreakerAssembler {

	private static final String BREAKERS = "retry.circuit-breakers";

	private static final Breaker DEFAULTS = new Breaker();

	/** The entry whose configuration breakers made on demand take. */
	static final String TEMPLATE = "default";

	private static final Log logger = LogFactory.getLog(CircuitBreakerLogListener.LOGGER);

	private final RetryProperties properties;

	private final PropertyOrigins origins;

	private final ValueChecks checks;

	public CircuitBreakerAssembler(RetryProperties properties, Environment environment,
			@Nullable ClassLoader classLoader) {
		this(properties, new PropertyOrigins(environment), classLoader);
	}

	CircuitBreakerAssembler(RetryProperties properties, PropertyOrigins origins, @Nullable ClassLoader classLoader) {
		this.properties = properties;
		this.origins = origins;
		this.checks = new ValueChecks((classLoader != null) ? classLoader : ClassUtils.getDefaultClassLoader());
	}

	/**
	 * Builds every configured breaker, in a registry that makes breakers on demand configured as
	 * {@code retry.circuit-breakers.default}.
	 * @throws dev.retry.autoconfigure.diagnostics.RetryConfigurationException for the first invalid value
	 */
	public CircuitBreakerRegistry assemble(Ticker ticker, HttpStatusResolver statusResolver,
			List<CircuitBreakerListener> listeners) {
		Function<CircuitBreakerConfig, CircuitBreaker> maker = (config) -> new CircuitBreaker(config, ticker,
				statusResolver, listeners);
		Map<String, CircuitBreaker> breakers = new LinkedHashMap<>();
		configs(this.properties.getCircuitBreakers().keySet(), Set.of())
			.forEach((name, settings) -> breakers.put(name, maker.apply(settings.config())));
		warnOfNamesApartInCaseOnly(breakers.keySet());
		return new CircuitBreakerRegistry(breakers, maker, (name) -> onDemand(name).config());
	}

	/**
	 * Two entries whose names are one in relaxed form ({@code [InventoryClient#stock(String)]} in a
	 * file, {@code RETRY_CIRCUITBREAKERS_INVENTORYCLIENTSTOCKSTRING_...} in the environment) are two
	 * breakers to Spring Boot's binder, and whoever names one never gets the other's keys.
	 */
	private static void warnOfNamesApartInCaseOnly(Set<String> names) {
		Map<String, List<String>> byRelaxedForm = new LinkedHashMap<>();
		for (String name : names) {
			byRelaxedForm.computeIfAbsent(CircuitBreakerRegistry.relaxedForm(name), (relaxed) -> new ArrayList<>())
				.add(name);
		}
		byRelaxedForm.values().stream().filter((apart) -> apart.size() > 1).forEach((apart) -> logger.warn(
				"Circuit breakers " + String.join(", ", apart) + " are configured apart, though their names differ "
						+ "in case or punctuation only (an environment variable writes a name in lower case, letters "
						+ "and digits only): they are separate breakers, each counting its own calls, and a name in "
						+ "brackets gets none of the others' keys. Configure each breaker under one name."));
	}

	/**
	 * The validated configuration of every breaker, made or to be made, with where each value came
	 * from. A breaker made at start-up has the keys of its entry and the library's defaults; any
	 * other (made on demand, or named by an entry that appeared later, or by an override set before
	 * the breaker is made) is checked as it is, or will be, made on demand: the keys of its entry,
	 * then those of {@code retry.circuit-breakers.default}, so that nothing accepted now fails when
	 * the breaker is made.
	 * @param madeAtStartUp names of the breakers made at start-up, from their entries
	 * @param onDemand names of the other breakers there are or may be: those made on demand, and
	 * any with an override, whatever its name (one no property can hold included, see
	 * {@link PropertyOrigins#boundKey})
	 * @throws dev.retry.autoconfigure.diagnostics.RetryConfigurationException for the first invalid value
	 */
	Map<String, BreakerSettings> configs(Set<String> madeAtStartUp, Set<String> onDemand) {
		// Also checked here: the breakers may be assembled before the policies.
		KnownKeys.RETRY.check(this.origins.sources());
		this.origins.checkEntryNames(BREAKERS);
		Set<String> heldForOthers = new HashSet<>();
		for (String name : onDemand) {
			heldForOthers.add(PropertyOrigins.boundKey(name));
		}
		Map<String, BreakerSettings> configs = new LinkedHashMap<>();
		this.properties.getCircuitBreakers().forEach((name, configured) -> {
			if (configured.getScope() == RetryProperties.Scope.FLEET && !this.properties.getFleet().isEnabled()) {
				throw new RetryConfigurationException("Circuit breaker '" + name
						+ "' has scope=fleet, but retry.fleet.enabled is false: there is no fleet to share it with.",
						"Set retry.fleet.enabled=true (with spring-boot-starter-data-redis), or remove scope (every breaker is local without the fleet).");
			}
			if (madeAtStartUp.contains(name)) {
				configs.put(name, settings(name, false));
			}
			else if (!heldForOthers.contains(name)) {
				configs.put(name, settings(name, true));
			}
		});
		for (String name : onDemand) {
			if (!madeAtStartUp.contains(name)) {
				configs.put(name, settings(name, true));
			}
		}
		return configs;
	}

	/**
	 * The configuration of a breaker made on demand: its own keys, where any are set (at runtime,
	 * say), else those of {@code retry.circuit-breakers.default}, else the library's defaults. Never
	 * fails: {@link #configs} checked its own keys with the default's when they were set; should they
	 * not fit all the same, they are left out, with a warning.
	 */
	BreakerSettings onDemand(String name) {
		try {
			return settings(name, true);
		}
		catch (RetryConfigurationException ex) {
			logger.warn("Circuit breaker '" + name + "' takes the configuration of retry.circuit-breakers."
					+ TEMPLATE + " only: its own keys do not fit with it (" + ex.getMessage() + ")");
			return settings(name, TEMPLATE, true);
		}
	}

	private BreakerSettings settings(String name, boolean inherit) {
		return settings(name, name, inherit);
	}

	/**
	 * @param name the breaker's name
	 * @param own the entry whose keys are the breaker's own
	 * @param inherit whether keys the entry does not set are those of the template
	 */
	private BreakerSettings settings(String name, String own, boolean inherit) {
		RetryProperties.Breaker configured = this.properties.getCircuitBreakers().get(PropertyOrigins.boundKey(own));
		RetryProperties.Breaker template = inherit ? this.properties.getCircuitBreakers().get(TEMPLATE) : null;
		Map<BreakerKey, ValueSource> values = new EnumMap<>(BreakerKey.class);
		for (BreakerKey key : BreakerKey.values()) {
			String origin = (configured != null) ? this.origins.originOf(BREAKERS, own, key.key()) : null;
			String inherited = (origin == null && template != null) ? this.origins.originOf(BREAKERS, TEMPLATE, key.key())
					: null;
			if (origin != null) {
				values.put(key, new ValueSource(key.read(configured), PropertyOrigins.entryProperty(BREAKERS, own,
						key.key()), origin));
			}
			else if (inherited != null) {
				values.put(key, new ValueSource(key.read(template),
						PropertyOrigins.entryProperty(BREAKERS, TEMPLATE, key.key()), inherited));
			}
			else {
				values.put(key, new ValueSource(key.read(DEFAULTS), PropertyOrigins.entryProperty(BREAKERS, own,
						key.key()), ValueChecks.LIBRARY_DEFAULT));
			}
		}
		Map<String, ValueSource> sources = new LinkedHashMap<>();
		values.forEach((key, source) -> sources.put(key.key(), source));
		return new BreakerSettings(config(name, values), sources);
	}

	/** A breaker's configuration, and for each key where its value came from. */
	record BreakerSettings(CircuitBreakerConfig config, Map<String, ValueSource> sources) {
	}

	private CircuitBreakerConfig config(String name, Map<BreakerKey, ValueSource> values) {
		ValueChecks v = this.checks;
		int failureThreshold = v.intWithin(values.get(BreakerKey.FAILURE_THRESHOLD), 0, Integer.MAX_VALUE,
				"an integer >= 0 (0 turns the consecutive-failure rule off)");
		int rateThreshold = v.intWithin(values.get(BreakerKey.FAILURE_RATE_THRESHOLD), 0, 100,
				"a percentage within 0 and 100 (0 turns the rate rule off)");
		if (failureThreshold == 0 && rateThreshold == 0) {
			throw ValueChecks.invalid(values.get(BreakerKey.FAILURE_THRESHOLD),
					"with failure-rate-threshold also 0, the breaker could never open",
					"> 0, or failure-rate-threshold must be > 0");
		}
		int windowSize = v.intWithin(values.get(BreakerKey.SLIDING_WINDOW_SIZE), 1, Integer.MAX_VALUE,
				"an integer >= 1");
		int minimumCalls = v.intWithin(values.get(BreakerKey.MINIMUM_CALLS), 1, windowSize,
				"an integer within 1 and sliding-window-size (" + windowSize + ")");
		Duration openDuration = v.positiveDuration(values.get(BreakerKey.OPEN_DURATION),
				"an open breaker must stay open a while", "a duration > 0, such as 30s");
		ValueSource maxWait = values.get(BreakerKey.HALF_OPEN_MAX_WAIT);
		Duration halfOpenMaxWait = (maxWait.value() == null) ? openDuration
				: v.positiveDuration(maxWait, "trial calls must be given some time",
						"a duration > 0, such as 30s (unset: the open-duration)");
		return CircuitBreakerConfig.builder(name)
			.failureThreshold(failureThreshold)
			.failureRateThreshold(rateThreshold)
			.slidingWindowSize(windowSize)
			.minimumCalls(minimumCalls)
			.slowCallDuration(v.duration(values.get(BreakerKey.SLOW_CALL_DURATION), "a duration >= 0 (0 = off)"))
			.openDuration(openDuration)
			.halfOpenCalls(v.intWithin(values.get(BreakerKey.HALF_OPEN_CALLS), 1, Integer.MAX_VALUE, "an integer >= 1"))
			.halfOpenMaxWait(halfOpenMaxWait)
			.recordOn(v.exceptionTypes(values.get(BreakerKey.RECORD_ON)))
			.ignoreOn(v.exceptionTypes(values.get(BreakerKey.IGNORE_ON)))
			.build();
	}

}
