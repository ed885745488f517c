package dev.retry.autoconfigure.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.retry.autoconfigure.config.RetryProperties.Policy;
import dev.retry.autoconfigure.diagnostics.RetryConfigurationException;
import dev.retry.backoff.Jitter;
import dev.retry.policy.OnExhausted;
import dev.retry.policy.RetryPolicy;
import dev.retry.policy.RetryPolicyBuilder;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.ConfigurationPropertyState;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * The one place where bound properties, presets and precedence become immutable policies. For each
 * key of each policy, strongest first: {@code retry.policies.<name>.<key>} from any source; the
 * built-in preset of that name; {@code retry.defaults.<key>} (environment above files, as Spring
 * orders sources); the library default. Every value is validated here, and errors name the
 * property that supplied the value.
 */
public final class PolicyAssembler {

	/** The policy that is {@code retry.defaults} itself. */
	public static final String DEFAULT_POLICY = "default";

	static final String LIBRARY_DEFAULT = "library default";

	private static final Policy LIBRARY_DEFAULTS = new Policy();

	private final RetryProperties properties;

	private final Environment environment;

	private final ClassLoader classLoader;

	public PolicyAssembler(RetryProperties properties, Environment environment, @Nullable ClassLoader classLoader) {
		this.properties = properties;
		this.environment = environment;
		this.classLoader = (classLoader != null) ? classLoader : ClassUtils.getDefaultClassLoader();
	}

	/**
	 * Assembles every policy: {@code default}, the presets and the configured ones.
	 * @throws RetryConfigurationException for the first invalid value
	 */
	public PolicyRegistry assemble() {
		Set<String> names = new LinkedHashSet<>();
		names.add(DEFAULT_POLICY);
		names.addAll(Presets.names());
		names.addAll(this.properties.getPolicies().keySet());
		Map<String, EffectivePolicy> policies = new LinkedHashMap<>();
		for (String name : names) {
			policies.put(name, assemble(name));
		}
		return new PolicyRegistry(policies);
	}

	private EffectivePolicy assemble(String name) {
		Map<PolicyKey, ValueSource> values = new EnumMap<>(PolicyKey.class);
		Policy configured = this.properties.getPolicies().get(name);
		for (PolicyKey key : PolicyKey.values()) {
			values.put(key, resolve(name, configured, key));
		}
		RetryPolicy policy = build(name, values);
		Map<String, ValueSource> sources = new LinkedHashMap<>();
		values.forEach((key, source) -> sources.put(key.key(), source));
		return new EffectivePolicy(policy, sources);
	}

	private ValueSource resolve(String name, @Nullable Policy configured, PolicyKey key) {
		if (configured != null) {
			String property = "retry.policies." + name + "." + key.key();
			String origin = originOf(property);
			if (origin != null) {
				return new ValueSource(key.read(configured), property, origin);
			}
		}
		Object preset = Presets.value(name, key.key());
		if (preset != null) {
			return new ValueSource(preset, "retry.policies." + name + "." + key.key(), "preset " + name);
		}
		String property = "retry.defaults." + key.key();
		String origin = originOf(property);
		if (origin != null) {
			return new ValueSource(key.read(this.properties.getDefaults()), property, origin);
		}
		return new ValueSource(key.read(LIBRARY_DEFAULTS), property, LIBRARY_DEFAULT);
	}

	/** Where a property is set, or {@code null} when no property source sets it. */
	private @Nullable String originOf(String property) {
		ConfigurationPropertyName name = ConfigurationPropertyName.of(property);
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(this.environment)) {
			ConfigurationProperty found = source.getConfigurationProperty(name);
			if (found != null) {
				return (found.getOrigin() != null) ? found.getOrigin().toString() : describe(source);
			}
			if (source.containsDescendantOf(name) == ConfigurationPropertyState.PRESENT) {
				return describe(source);
			}
		}
		return null;
	}

	private static String describe(ConfigurationPropertySource source) {
		Object underlying = source.getUnderlyingSource();
		if (underlying instanceof org.springframework.core.env.PropertySource<?> propertySource) {
			return "property source '" + propertySource.getName() + "'";
		}
		return String.valueOf(underlying);
	}

	private RetryPolicy build(String name, Map<PolicyKey, ValueSource> values) {
		Validator v = new Validator(values);
		int maxAttempts = v.intValue(PolicyKey.MAX_ATTEMPTS, 1, Integer.MAX_VALUE,
				"an integer >= 1 (attempts in all, the first call included)");
		Duration baseDelay = v.duration(PolicyKey.BASE_DELAY, "a duration >= 0, such as 500ms, 1s or 0.5");
		Duration maxDelay = v.duration(PolicyKey.MAX_DELAY, "a duration >= 0, such as 10s");
		if (maxDelay.compareTo(baseDelay) < 0) {
			ValueSource base = values.get(PolicyKey.BASE_DELAY);
			throw v.invalid(PolicyKey.MAX_DELAY, "max-delay is below base-delay (" + base.value() + ", from "
					+ base.property() + ")", "a duration >= base-delay (" + base.value() + ")");
		}
		double multiplier = v.doubleValue(PolicyKey.MULTIPLIER, 1.0, Double.MAX_VALUE, "a number >= 1.0");
		double jitterFactor = v.doubleValue(PolicyKey.JITTER_FACTOR, 0.0, 1.0, "a number within 0 and 1");
		Duration maxDuration = v.duration(PolicyKey.MAX_DURATION, "a duration >= 0 (0 for no deadline)");
		List<Class<? extends Throwable>> retryOn = v.exceptionTypes(PolicyKey.RETRY_ON, this.classLoader);
		List<Class<? extends Throwable>> noRetryOn = v.exceptionTypes(PolicyKey.NO_RETRY_ON, this.classLoader);
		List<Integer> statuses = v.statuses(PolicyKey.RETRY_ON_STATUS);
		double ratio = v.doubleValue(PolicyKey.BUDGET_RATIO, 0.0, Double.MAX_VALUE, "a number >= 0 (0 turns the budget off)");
		int minRetries = v.intValue(PolicyKey.BUDGET_MIN_RETRIES_PER_SECOND, 0, Integer.MAX_VALUE, "an integer >= 0");
		Duration window = v.duration(PolicyKey.BUDGET_WINDOW, "a duration > 0, such as 10s");
		if (ratio > 0 && window.isZero()) {
			throw v.invalid(PolicyKey.BUDGET_WINDOW, "the budget needs a window to count in", "a duration > 0, such as 10s");
		}
		RetryPolicyBuilder builder = RetryPolicy.builder(name)
			.maxAttempts(maxAttempts)
			.baseDelay(baseDelay)
			.maxDelay(maxDelay)
			.exponentialBackoff((Boolean) values.get(PolicyKey.EXPONENTIAL_BACKOFF).value())
			.multiplier(multiplier)
			.jitter(v.required(PolicyKey.JITTER, Jitter.class, "one of none, proportional, full, equal, decorrelated"))
			.jitterFactor(jitterFactor)
			.maxDuration(maxDuration)
			.retryOn(retryOn)
			.noRetryOn(noRetryOn)
			.retryOnStatus(statuses)
			.respectRetryAfter((Boolean) values.get(PolicyKey.RESPECT_RETRY_AFTER).value())
			.onExhausted(v.required(PolicyKey.ON_EXHAUSTED, OnExhausted.class, "one of rethrow, wrap"))
			.budget(ratio, minRetries, window);
		return builder.build();
	}

	/** Checks values and reports a bad one by the property that supplied it. */
	private static final class Validator {

		private final Map<PolicyKey, ValueSource> values;

		Validator(Map<PolicyKey, ValueSource> values) {
			this.values = values;
		}

		int intValue(PolicyKey key, int min, int max, String allowed) {
			int value = ((Number) this.values.get(key).value()).intValue();
			if (value < min || value > max) {
				throw invalid(key, "out of range", allowed);
			}
			return value;
		}

		double doubleValue(PolicyKey key, double min, double max, String allowed) {
			double value = ((Number) this.values.get(key).value()).doubleValue();
			if (!(value >= min && value <= max)) {
				throw invalid(key, "out of range", allowed);
			}
			return value;
		}

		Duration duration(PolicyKey key, String allowed) {
			Duration value = required(key, Duration.class, allowed);
			if (value.isNegative()) {
				throw invalid(key, "negative duration", allowed);
			}
			return value;
		}

		<T> T required(PolicyKey key, Class<T> type, String allowed) {
			Object value = this.values.get(key).value();
			if (!type.isInstance(value)) {
				throw invalid(key, "no value", allowed);
			}
			return type.cast(value);
		}

		List<Integer> statuses(PolicyKey key) {
			@SuppressWarnings("unchecked")
			List<Integer> statuses = (List<Integer>) this.values.get(key).value();
			for (Integer status : statuses) {
				if (status == null || status < 100 || status > 599) {
					throw invalid(key, "'" + status + "' is not an HTTP status", "a list of HTTP statuses within 100 and 599");
				}
			}
			return statuses;
		}

		List<Class<? extends Throwable>> exceptionTypes(PolicyKey key, ClassLoader classLoader) {
			@SuppressWarnings("unchecked")
			List<String> names = (List<String>) this.values.get(key).value();
			List<Class<? extends Throwable>> types = new ArrayList<>();
			String allowed = "a list of fully qualified names of exception classes on the classpath, "
					+ "such as java.net.ConnectException";
			for (String name : names) {
				Class<?> type;
				try {
					type = ClassUtils.forName(name.trim(), classLoader);
				}
				catch (ClassNotFoundException | LinkageError ex) {
					throw invalid(key, "no class named '" + name + "' on the classpath", allowed);
				}
				if (!Throwable.class.isAssignableFrom(type)) {
					throw invalid(key, "'" + name + "' is not an exception (not a java.lang.Throwable)", allowed);
				}
				@SuppressWarnings("unchecked")
				Class<? extends Throwable> throwable = (Class<? extends Throwable>) type;
				types.add(throwable);
			}
			return types;
		}

		RetryConfigurationException invalid(PolicyKey key, String reason, String allowed) {
			ValueSource source = this.values.get(key);
			String origin = LIBRARY_DEFAULT.equals(source.origin()) ? null : source.origin();
			return RetryConfigurationException.invalidProperty(source.property(), source.value(), origin, reason,
					allowed);
		}

	}

}
