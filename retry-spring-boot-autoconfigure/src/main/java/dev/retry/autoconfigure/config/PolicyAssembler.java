package dev.retry.autoconfigure.config;

import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import dev.retry.autoconfigure.config.RetryProperties.Policy;
import dev.retry.autoconfigure.diagnostics.RetryConfigurationException;
import dev.retry.backoff.Jitter;
import dev.retry.policy.OnExhausted;
import dev.retry.policy.RetryPolicy;
import org.jspecify.annotations.Nullable;

import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * The one place where bound properties, presets and precedence become immutable policies. For each
 * key of each policy, strongest first: {@code retry.policies.<name>.<key>} from any source;
 * {@code retry.defaults.<key>} where the user set it, in any source (environment above files, as
 * Spring orders sources); the built-in preset of that name; the library default. What a user wrote
 * anywhere beats a preset: a preset only fills what nobody set. Every value is validated here, and
 * errors name the property that supplied the value.
 */
public final class PolicyAssembler {

	/** The policy that is {@code retry.defaults} itself. */
	public static final String DEFAULT_POLICY = "default";

	private static final String POLICIES = "retry.policies";

	/** The origin of a preset's value, before the preset's name. */
	private static final String PRESET = "preset ";

	private static final Policy LIBRARY_DEFAULTS = new Policy();

	private final RetryProperties properties;

	private final PropertyOrigins origins;

	private final ValueChecks checks;

	public PolicyAssembler(RetryProperties properties, Environment environment, @Nullable ClassLoader classLoader) {
		this(properties, new PropertyOrigins(environment), classLoader);
	}

	PolicyAssembler(RetryProperties properties, PropertyOrigins origins, @Nullable ClassLoader classLoader) {
		this.properties = properties;
		this.origins = origins;
		this.checks = new ValueChecks((classLoader != null) ? classLoader : ClassUtils.getDefaultClassLoader());
	}

	/**
	 * Assembles every policy: {@code default}, the presets and the configured ones.
	 * @throws dev.retry.autoconfigure.diagnostics.RetryConfigurationException for properties under
	 * {@code retry} that bind to nothing, then for the first invalid value
	 */
	public PolicyRegistry assemble() {
		KnownKeys.RETRY.check(this.origins.sources());
		this.origins.checkEntryNames(POLICIES);
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
		presetDelayYields(values);
		RetryPolicy policy = build(name, values);
		Map<String, ValueSource> sources = new LinkedHashMap<>();
		values.forEach((key, source) -> sources.put(key.key(), source));
		return new EffectivePolicy(policy, sources);
	}

	private ValueSource resolve(String name, @Nullable Policy configured, PolicyKey key) {
		if (configured != null) {
			String property = PropertyOrigins.entryProperty(POLICIES, name, key.key());
			String origin = this.origins.originOf(POLICIES, name, key.key());
			if (origin != null) {
				return new ValueSource(key.read(configured), property, origin);
			}
		}
		String property = "retry.defaults." + key.key();
		String origin = this.origins.originOf(property);
		if (origin != null) {
			return new ValueSource(key.read(this.properties.getDefaults()), property, origin);
		}
		Object preset = Presets.value(name, key.key());
		if (preset != null) {
			return new ValueSource(preset, PropertyOrigins.entryProperty(POLICIES, name, key.key()), PRESET + name);
		}
		return new ValueSource(key.read(LIBRARY_DEFAULTS), property, ValueChecks.LIBRARY_DEFAULT);
	}

	/**
	 * Our delays yield to the user's: when the user's base-delay is above the max-delay of a preset
	 * or of the library ({@code RETRY_BASE_DELAY=3} and {@code fast}, whose max-delay is 2s), that
	 * max-delay is raised to it; when the user's max-delay is below our base-delay, that is lowered
	 * to it. What the user set stands; we only fill around it, and never turn a valid setting into
	 * a start-up failure. Two values the user set are checked as they are.
	 */
	private static void presetDelayYields(Map<PolicyKey, ValueSource> values) {
		ValueSource base = values.get(PolicyKey.BASE_DELAY);
		ValueSource max = values.get(PolicyKey.MAX_DELAY);
		if (!(base.value() instanceof Duration baseDelay) || !(max.value() instanceof Duration maxDelay)
				|| maxDelay.compareTo(baseDelay) >= 0 || isOurs(base) == isOurs(max)) {
			return;
		}
		if (isOurs(max)) {
			values.put(PolicyKey.MAX_DELAY, new ValueSource(baseDelay, max.property(),
					max.origin() + ", raised to base-delay (" + base.origin() + ")"));
		}
		else {
			values.put(PolicyKey.BASE_DELAY, new ValueSource(maxDelay, base.property(),
					base.origin() + ", lowered to max-delay (" + max.origin() + ")"));
		}
	}

	/** Whether a value is a preset's or the library's, not the user's. */
	private static boolean isOurs(ValueSource source) {
		return source.origin().startsWith(PRESET) || source.origin().equals(ValueChecks.LIBRARY_DEFAULT);
	}

	private RetryPolicy build(String name, Map<PolicyKey, ValueSource> values) {
		ValueChecks v = this.checks;
		int maxAttempts = v.intWithin(values.get(PolicyKey.MAX_ATTEMPTS), 1, Integer.MAX_VALUE,
				"an integer >= 1 (attempts in all, the first call included)");
		Duration baseDelay = v.duration(values.get(PolicyKey.BASE_DELAY), "a duration >= 0, such as 500ms, 1s or 0.5");
		Duration maxDelay = v.duration(values.get(PolicyKey.MAX_DELAY), "a duration >= 0, such as 10s");
		if (maxDelay.compareTo(baseDelay) < 0) {
			ValueSource base = values.get(PolicyKey.BASE_DELAY);
			throw ValueChecks.invalid(values.get(PolicyKey.MAX_DELAY), "max-delay is below base-delay (" + base.value()
					+ ", from " + base.property() + ")", "a duration >= base-delay (" + base.value() + ")");
		}
		double ratio = v.doubleWithin(values.get(PolicyKey.BUDGET_RATIO), 0.0, Double.MAX_VALUE,
				"a number >= 0 (0 turns the budget off)");
		ValueSource windowSource = values.get(PolicyKey.BUDGET_WINDOW);
		Duration window = (ratio > 0)
				? v.positiveDuration(windowSource, "the budget needs a window to count in", "a duration > 0, such as 10s")
				: v.duration(windowSource, "a duration > 0, such as 10s");
		if (ratio > 0 && window.toMillis() < 1) {
			throw ValueChecks.invalid(windowSource, "under a millisecond, the finest the budget counts in",
					"a duration >= 1ms, such as 10s");
		}
		Duration maxDuration = v.duration(values.get(PolicyKey.MAX_DURATION), "a duration >= 0 (0 for no deadline)");
		Duration attemptTimeout = v.duration(values.get(PolicyKey.ATTEMPT_TIMEOUT), "a duration >= 0 (0 for no limit)");
		if (!maxDuration.isZero() && attemptTimeout.compareTo(maxDuration) > 0) {
			ValueSource deadline = values.get(PolicyKey.MAX_DURATION);
			throw ValueChecks.invalid(values.get(PolicyKey.ATTEMPT_TIMEOUT), "attempt-timeout is above max-duration ("
					+ deadline.value() + ", from " + deadline.property() + "): no attempt could time out",
					"a duration <= max-duration (" + deadline.value() + "), or 0");
		}
		return RetryPolicy.builder(name)
			.maxAttempts(maxAttempts)
			.baseDelay(baseDelay)
			.maxDelay(maxDelay)
			.exponentialBackoff((Boolean) values.get(PolicyKey.EXPONENTIAL_BACKOFF).value())
			.multiplier(v.doubleWithin(values.get(PolicyKey.MULTIPLIER), 1.0, Double.MAX_VALUE, "a number >= 1.0"))
			.jitter(v.required(values.get(PolicyKey.JITTER), Jitter.class,
					"one of none, proportional, full, equal, decorrelated"))
			.jitterFactor(v.doubleWithin(values.get(PolicyKey.JITTER_FACTOR), 0.0, 1.0, "a number within 0 and 1"))
			.maxDuration(maxDuration)
			.attemptTimeout(attemptTimeout)
			.hedgeDelay(v.duration(values.get(PolicyKey.HEDGE_DELAY), "a duration >= 0 (0 for no hedging)"))
			.maxHedges(v.intWithin(values.get(PolicyKey.MAX_HEDGES), 1, 100, "an integer within 1 and 100"))
			.retryOn(v.exceptionTypes(values.get(PolicyKey.RETRY_ON)))
			.noRetryOn(v.exceptionTypes(values.get(PolicyKey.NO_RETRY_ON)))
			.retryOnStatus(v.statuses(values.get(PolicyKey.RETRY_ON_STATUS)))
			.respectRetryAfter((Boolean) values.get(PolicyKey.RESPECT_RETRY_AFTER).value())
			.onExhausted(v.required(values.get(PolicyKey.ON_EXHAUSTED), OnExhausted.class, "one of rethrow, wrap"))
			.budget(ratio, v.intWithin(values.get(PolicyKey.BUDGET_MIN_RETRIES_PER_SECOND), 0, Integer.MAX_VALUE,
					"an integer >= 0"), window, sharedBudget(name, ratio, values.get(PolicyKey.BUDGET_SCOPE)))
			.build();
	}

	/**
	 * Whether the budget is the fleet's. A budget of scope fleet without the fleet is refused, at
	 * start-up and for a runtime change alike.
	 */
	private boolean sharedBudget(String name, double ratio, ValueSource scope) {
		boolean fleet = this.checks.required(scope, RetryProperties.Scope.class,
				"one of local, fleet") == RetryProperties.Scope.FLEET;
		if (fleet && ratio > 0 && !this.properties.getFleet().isEnabled()) {
			throw new RetryConfigurationException("Retry policy '" + name
					+ "' has budget.scope=fleet, but retry.fleet.enabled is false: there is no fleet to share the budget with.",
					"Set retry.fleet.enabled=true (with spring-boot-starter-data-redis), or budget.scope=local.");
		}
		return fleet;
	}

}
