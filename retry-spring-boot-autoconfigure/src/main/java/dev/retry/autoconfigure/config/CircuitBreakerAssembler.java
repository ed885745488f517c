package dev.retry.autoconfigure.config;

import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.retry.autoconfigure.config.RetryProperties.Breaker;
import dev.retry.autoconfigure.diagnostics.RetryConfigurationException;
import dev.retry.breaker.CircuitBreaker;
import dev.retry.breaker.CircuitBreakerConfig;
import dev.retry.breaker.CircuitBreakerListener;
import dev.retry.classify.HttpStatusResolver;
import dev.retry.time.Ticker;
import org.jspecify.annotations.Nullable;

import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * Turns {@code retry.circuit-breakers.*} into validated, shared breakers. Errors name the property
 * at fault, its value, where it was set and what is allowed.
 */
public final class CircuitBreakerAssembler {

	private static final String BREAKERS = "retry.circuit-breakers";

	private static final Breaker DEFAULTS = new Breaker();

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
	 * Builds every configured breaker.
	 * @throws dev.retry.autoconfigure.diagnostics.RetryConfigurationException for the first invalid value
	 */
	public CircuitBreakerRegistry assemble(Ticker ticker, HttpStatusResolver statusResolver,
			List<CircuitBreakerListener> listeners) {
		Map<String, CircuitBreaker> breakers = new LinkedHashMap<>();
		configs().forEach((name, settings) -> breakers.put(name,
				new CircuitBreaker(settings.config(), ticker, statusResolver, listeners)));
		return new CircuitBreakerRegistry(breakers);
	}

	/**
	 * The validated configuration of every configured breaker, with where each value came from.
	 * @throws dev.retry.autoconfigure.diagnostics.RetryConfigurationException for the first invalid value
	 */
	Map<String, BreakerSettings> configs() {
		this.origins.checkEntryNames(BREAKERS);
		Map<String, BreakerSettings> configs = new LinkedHashMap<>();
		this.properties.getCircuitBreakers().forEach((name, configured) -> {
			if (configured.getScope() == RetryProperties.Scope.FLEET && !this.properties.getFleet().isEnabled()) {
				throw new RetryConfigurationException("Circuit breaker '" + name
						+ "' has scope=fleet, but retry.fleet.enabled is false: there is no fleet to share it with.",
						"Set retry.fleet.enabled=true (with spring-boot-starter-data-redis), or remove scope (every breaker is local without the fleet).");
			}
			Map<BreakerKey, ValueSource> values = new EnumMap<>(BreakerKey.class);
			for (BreakerKey key : BreakerKey.values()) {
				String property = PropertyOrigins.entryProperty(BREAKERS, name, key.key());
				String origin = this.origins.originOf(BREAKERS, name, key.key());
				values.put(key, (origin != null) ? new ValueSource(key.read(configured), property, origin)
						: new ValueSource(key.read(DEFAULTS), property, ValueChecks.LIBRARY_DEFAULT));
			}
			Map<String, ValueSource> sources = new LinkedHashMap<>();
			values.forEach((key, source) -> sources.put(key.key(), source));
			configs.put(name, new BreakerSettings(config(name, values), sources));
		});
		return configs;
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
