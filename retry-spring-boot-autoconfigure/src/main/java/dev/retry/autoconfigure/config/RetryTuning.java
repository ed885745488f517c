package dev.retry.autoconfigure.config;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiFunction;

import dev.retry.autoconfigure.config.CircuitBreakerAssembler.BreakerSettings;
import dev.retry.autoconfigure.diagnostics.RetryConfigurationException;
import dev.retry.breaker.CircuitBreaker;
import dev.retry.breaker.CircuitBreakerConfig;
import dev.retry.internal.Durations;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.env.OriginTrackedMapPropertySource;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.OriginTrackedValue;
import org.springframework.core.convert.ConversionFailedException;
import org.springframework.core.env.Environment;

/**
 * Changes policies and breakers while the application runs: overrides set through the actuator
 * endpoints, and the Environment read again after it changed. Either way, the whole configuration
 * is bound and validated again exactly as at start-up (the same binder, the same checks, the same
 * messages), and nothing changes unless all of it is valid. Then each method using a changed policy
 * gets a new plan, read by its next call (calls in flight finish under the plan they started with),
 * and each changed breaker takes its new configuration, keeping its state and counts. Changes are
 * serialised: of two overrides of one policy, the last wins whole.
 */
public final class RetryTuning {

	private volatile @Nullable Relay relay;

	/** Logger of every change, at WARN. */
	public static final String LOGGER = "dev.retry.Tuning";

	private static final Log logger = LogFactory.getLog(LOGGER);

	private static final String POLICIES = "retry.policies";

	private static final String BREAKERS = "retry.circuit-breakers";

	private final Environment environment;

	private final @Nullable ClassLoader classLoader;

	private final PolicyRegistry policies;

	private final CircuitBreakerRegistry breakers;

	private final BiFunction<PolicyRegistry, Set<String>, Runnable> replanner;

	private final Clock clock;

	private final ApplicationConversionService conversion = new ApplicationConversionService();

	/** Overrides by policy name, then key. */
	private final Map<String, Override> policyOverrides = new LinkedHashMap<>();

	/** Overrides by breaker name, then key. */
	private final Map<String, Override> breakerOverrides = new LinkedHashMap<>();

	/**
	 * The breaker configurations in effect, with their sources; read and written only while the
	 * registry makes no breaker.
	 */
	private Map<String, BreakerSettings> breakerSettings = Map.of();

	/** The configuration in effect, as breakers made on demand from now on take it. */
	private CircuitBreakerAssembler assembler;

	private volatile @Nullable ReloadError lastReloadError;

	/**
	 * @param replanner plans anew the methods of the named policies from a registry, and answers
	 * what puts those plans in place (see {@code RetryInterceptorFactory.replan})
	 */
	public RetryTuning(Environment environment, @Nullable ClassLoader classLoader, PolicyRegistry policies,
			CircuitBreakerRegistry breakers, BiFunction<PolicyRegistry, Set<String>, Runnable> replanner, Clock clock) {
		this.environment = environment;
		this.classLoader = classLoader;
		this.policies = policies;
		this.breakers = breakers;
		this.replanner = replanner;
		this.clock = clock;
		this.conversion.addConverter(new DecimalSecondsConverter());
		RetryProperties properties = bind(ConfigurationPropertySources.get(this.environment));
		this.assembler = new CircuitBreakerAssembler(properties, new PropertyOrigins(this.environment), this.classLoader);
		breakers.holdingAdditions(() -> {
			this.breakerSettings = new LinkedHashMap<>(
					this.assembler.configs(breakers.configuredNames(), breakers.onDemandNames()));
			breakers.makeOnDemandWith(this::onDemand);
		});
	}

	/**
	 * The configuration of a breaker made on demand, as the configuration in effect says (runtime
	 * overrides of it included, even those set before it was made); kept as what the next change is
	 * compared with. Called by the registry while it makes the breaker, so never beside {@link #apply}.
	 */
	private CircuitBreakerConfig onDemand(String name) {
		BreakerSettings settings = this.assembler.onDemand(name);
		this.breakerSettings.put(name, settings);
		return settings.config();
	}

	/** The keys a policy override may set, as in YAML. */
	public static List<String> policyKeys() {
		return Arrays.stream(PolicyKey.values()).map(PolicyKey::key).toList();
	}

	/** The keys a breaker override may set, as in YAML. */
	public static List<String> breakerKeys() {
		return Arrays.stream(BreakerKey.values()).map(BreakerKey::key).toList();
	}

	/**
	 * Sets values of a policy (on top of earlier overrides of other keys), in the forms YAML takes:
	 * {@code "200ms"} or {@code "0.2"} for a duration, {@code "a,b"} for a list.
	 * @param by who asks, for the log ({@code actuator})
	 * @throws RetryConfigurationException naming the key, the value and what is allowed, when
	 * anything is invalid: then nothing changed
	 */
	public void overridePolicy(String policy, Map<String, String> values, String by) {
		overridePolicy(policy, values, by, true);
	}

	/**
	 * As {@link #overridePolicy(String, Map, String)}.
	 * @param relay whether the change is passed on to the {@link Relay} (false for a change that
	 * came from it)
	 */
	public synchronized void overridePolicy(String policy, Map<String, String> values, String by, boolean relay) {
		Map<String, String> known = knownKeys(POLICIES, policy, "policy '" + policy + "'", values, policyKeys());
		Map<String, Override> overrides = copy(this.policyOverrides);
		overrides.merge(policy, Override.of(known, this.clock.instant()), Override::plus);
		apply(overrides, copy(this.breakerOverrides), by);
		relay(relay, Relay.POLICY, policy, values);
	}

	/** Drops every override of a policy: its values come from the configuration again. */
	public void clearPolicy(String policy, String by) {
		clearPolicy(policy, by, true);
	}

	/** As {@link #clearPolicy(String, String)}; {@code relay} as for {@link #overridePolicy}. */
	public synchronized void clearPolicy(String policy, String by, boolean relay) {
		Map<String, Override> overrides = copy(this.policyOverrides);
		if (overrides.remove(policy) != null) {
			apply(overrides, copy(this.breakerOverrides), by);
		}
		relay(relay, Relay.POLICY, policy, null);
	}

	/** As {@link #overridePolicy}, for a circuit breaker; its state and counts stay. */
	public void overrideBreaker(String breaker, Map<String, String> values, String by) {
		overrideBreaker(breaker, values, by, true);
	}

	/** As {@link #overrideBreaker(String, Map, String)}; {@code relay} as for {@link #overridePolicy}. */
	public synchronized void overrideBreaker(String breaker, Map<String, String> values, String by, boolean relay) {
		Map<String, String> known = knownKeys(BREAKERS, breaker, "circuit breaker '" + breaker + "'", values,
				breakerKeys());
		Map<String, Override> overrides = copy(this.breakerOverrides);
		overrides.merge(breaker, Override.of(known, this.clock.instant()), Override::plus);
		apply(copy(this.policyOverrides), overrides, by);
		relay(relay, Relay.BREAKER, breaker, values);
	}

	/**
	 * Drops every configuration override of a circuit breaker: its configuration comes from the
	 * application's again; its state and counts stay.
	 */
	public void clearBreaker(String breaker, String by) {
		clearBreaker(breaker, by, true);
	}

	/** As {@link #clearBreaker(String, String)}; {@code relay} as for {@link #overridePolicy}. */
	public synchronized void clearBreaker(String breaker, String by, boolean relay) {
		Map<String, Override> overrides = copy(this.breakerOverrides);
		if (overrides.remove(breaker) != null) {
			apply(copy(this.policyOverrides), overrides, by);
		}
		relay(relay, Relay.BREAKER, breaker, null);
	}

	/**
	 * Whether there is a policy ({@link Relay#POLICY}) or breaker ({@link Relay#BREAKER}) of this
	 * name to change: a change never creates one.
	 */
	public boolean knows(String kind, String name) {
		if (Relay.POLICY.equals(kind)) {
			return this.policies.find(name) != null;
		}
		return Relay.BREAKER.equals(kind) && this.breakers.find(name) != null;
	}

	/**
	 * Runs {@code action} while no change is made here (a change made meanwhile waits for it), so
	 * that what it reads of the changes relayed and what it changes agree.
	 */
	public synchronized void betweenChanges(Runnable action) {
		action.run();
	}

	/** Passes every change made here on (a fleet, to its other instances), once it is applied. */
	public void relay(Relay relay) {
		this.relay = relay;
	}

	private void relay(boolean relay, String kind, String name, @Nullable Map<String, String> values) {
		Relay to = this.relay;
		if (relay && to != null) {
			try {
				to.changed(kind, name, values);
			}
			catch (RuntimeException ex) {
				logger.warn("Could not pass the change of " + kind + " '" + name + "' on", ex);
			}
		}
	}

	/** Where runtime changes made on this instance are passed on. */
	@FunctionalInterface
	public interface Relay {

		/** A policy's overrides. */
		String POLICY = "policy";

		/** A circuit breaker's overrides. */
		String BREAKER = "breaker";

		/**
		 * @param kind {@link #POLICY} or {@link #BREAKER}
		 * @param values the keys set, or {@code null} when the overrides were dropped
		 */
		void changed(String kind, String name, @Nullable Map<String, String> values);

	}

	/**
	 * Reads the Environment again (after Spring Cloud's {@code EnvironmentChangeEvent}, say),
	 * keeping the runtime overrides on top. An invalid configuration changes nothing: it is logged
	 * at ERROR and kept as {@link #lastReloadError()}.
	 */
	public synchronized void reload(String by) {
		try {
			apply(copy(this.policyOverrides), copy(this.breakerOverrides), by);
			this.lastReloadError = null;
		}
		catch (RetryConfigurationException ex) {
			this.lastReloadError = new ReloadError(ex.getMessage() + " " + ex.getAction(), this.clock.instant());
			logger.error("Retry configuration not reloaded after " + by + ", the previous values stay in effect: "
					+ ex.getMessage() + " " + ex.getAction());
		}
	}

	/** Why the latest reload of the Environment was refused, if it was. */
	public @Nullable ReloadError lastReloadError() {
		return this.lastReloadError;
	}

	/** When a key of a policy was set at runtime, or {@code null} when it was not. */
	public synchronized @Nullable Instant overriddenAt(String policy, String key) {
		Override override = this.policyOverrides.get(policy);
		return (override != null) ? override.times().get(key) : null;
	}

	/**
	 * Binds and checks the whole configuration with these overrides, then puts it in effect;
	 * nothing changes unless all of it is valid. While it does, no breaker is made on demand, so that
	 * each is made either before (and changed here) or after (and made as changed).
	 * @throws RetryConfigurationException naming what is invalid
	 */
	private void apply(Map<String, Override> policyOverrides, Map<String, Override> breakerOverrides, String by) {
		try {
			this.breakers.holdingAdditions(() -> applyHoldingAdditions(policyOverrides, breakerOverrides, by));
		}
		catch (IllegalArgumentException ex) {
			// A check of the engine's own that the assemblers do not repeat: refused all the same.
			throw new RetryConfigurationException("Retry configuration refused: " + ex.getMessage() + ".",
					"Correct the value named, as in application.yml.");
		}
	}

	private void applyHoldingAdditions(Map<String, Override> policyOverrides, Map<String, Override> breakerOverrides,
			String by) {
		List<ConfigurationPropertySource> sources = new ArrayList<>();
		sources.add(ConfigurationPropertySources.from(overrideSource(policyOverrides, breakerOverrides)).iterator().next());
		ConfigurationPropertySources.get(this.environment).forEach(sources::add);
		RetryProperties properties = bind(sources);
		PropertyOrigins origins = new PropertyOrigins(this.environment, sources);
		PolicyRegistry assembled = new PolicyAssembler(properties, origins, this.classLoader).assemble();
		CircuitBreakerAssembler breakerAssembler = new CircuitBreakerAssembler(properties, origins, this.classLoader);
		// A breaker not made yet is checked as it will be made, so that no override or entry accepted
		// now fails it, or every later change, when it is.
		Set<String> onDemand = new LinkedHashSet<>(this.breakers.onDemandNames());
		onDemand.addAll(breakerOverrides.keySet());
		Map<String, BreakerSettings> configs = breakerAssembler.configs(this.breakers.configuredNames(), onDemand);

		List<String> changes = new ArrayList<>();
		Set<String> changedPolicies = new LinkedHashSet<>();
		for (String name : assembled.names()) {
			EffectivePolicy before = this.policies.find(name);
			String changed = change("Policy", name, (before != null) ? before.sources() : Map.of(),
					assembled.find(name).sources(), by);
			if (changed != null) {
				changedPolicies.add(name);
				changes.add(changed);
			}
		}
		for (String name : this.policies.names()) {
			if (assembled.find(name) == null) {
				// Gone from the configuration: a method still naming it refuses the change, as at start-up.
				changedPolicies.add(name);
			}
		}
		Map<String, BreakerSettings> known = this.breakerSettings;
		Map<String, BreakerSettings> reconfigured = new LinkedHashMap<>();
		for (Map.Entry<String, BreakerSettings> entry : configs.entrySet()) {
			BreakerSettings before = known.get(entry.getKey());
			if (this.breakers.find(entry.getKey()) == null || before == null) {
				// A configured breaker is made at start-up: one configured later is made on demand, if ever.
				continue;
			}
			String changed = change("Circuit breaker", entry.getKey(), before.sources(), entry.getValue().sources(),
					by);
			if (changed != null) {
				reconfigured.put(entry.getKey(), entry.getValue());
				changes.add(changed);
			}
		}
		// Every check is done before anything changes: a method refusing the new values fails it all.
		Runnable replan = this.replanner.apply(assembled, changedPolicies);

		this.policies.adopt(assembled);
		replan.run();
		reconfigured.forEach((name, settings) -> this.breakers.find(name).reconfigure(settings.config()));
		Map<String, BreakerSettings> settings = new LinkedHashMap<>(known);
		settings.putAll(reconfigured);
		this.breakerSettings = settings;
		this.assembler = breakerAssembler;
		this.policyOverrides.clear();
		this.policyOverrides.putAll(policyOverrides);
		this.breakerOverrides.clear();
		this.breakerOverrides.putAll(breakerOverrides);
		changes.forEach(logger::warn);
	}

	/** {@code Policy 'network' changed at runtime: max-attempts 3 -> 5 (actuator)}, or {@code null} when no value changed. */
	private static @Nullable String change(String kind, String name, Map<String, ValueSource> before,
			Map<String, ValueSource> after, String by) {
		List<String> parts = new ArrayList<>();
		after.forEach((key, source) -> {
			ValueSource old = before.get(key);
			if (old == null || !Objects.equals(old.value(), source.value())) {
				parts.add(key + " " + ((old != null) ? text(old.value()) : "unset") + " -> " + text(source.value()));
			}
		});
		return parts.isEmpty() ? null
				: kind + " '" + name + "' changed at runtime: " + String.join(", ", parts) + " (" + by + ")";
	}

	private static String text(@Nullable Object value) {
		return (value instanceof java.time.Duration duration) ? Durations.text(duration) : String.valueOf(value);
	}

	/** Binds {@code retry} as Spring Boot does at start-up, reporting a value that cannot be read by its key. */
	private RetryProperties bind(Iterable<ConfigurationPropertySource> sources) {
		Binder binder = new Binder(sources, new PropertySourcesPlaceholdersResolver(this.environment), this.conversion);
		try {
			return binder.bindOrCreate("retry", Bindable.of(RetryProperties.class));
		}
		catch (BindException ex) {
			ConfigurationProperty property = ex.getProperty();
			String name = (property != null) ? property.getName().toString() : ex.getName().toString();
			Object value = (property != null) ? property.getValue() : null;
			String origin = (property != null && property.getOrigin() != null) ? property.getOrigin().toString() : null;
			Throwable cause = ex.getCause();
			String allowed = (cause instanceof ConversionFailedException failed)
					? allowed(failed.getTargetType().getType()) : "a value of the right type";
			throw RetryConfigurationException.invalidProperty(name, value, origin,
					"cannot be read as " + allowed, allowed);
		}
	}

	private static String allowed(Class<?> type) {
		if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
			return "an integer";
		}
		if (type == double.class || type == Double.class || type == float.class || type == Float.class) {
			return "a number";
		}
		if (type == boolean.class || type == Boolean.class) {
			return "true or false";
		}
		if (type == java.time.Duration.class) {
			return "a duration, such as 200ms, 1s or 0.2 (seconds)";
		}
		if (type.isEnum()) {
			return "one of " + String.join(", ", Arrays.stream(type.getEnumConstants())
				.map((constant) -> constant.toString().toLowerCase(java.util.Locale.ROOT))
				.toList());
		}
		return "a " + type.getSimpleName();
	}

	/** The overrides as properties, each with an origin saying it is a runtime override and since when. */
	private static OriginTrackedMapPropertySource overrideSource(Map<String, Override> policies,
			Map<String, Override> breakers) {
		Map<String, Object> properties = new LinkedHashMap<>();
		policies.forEach((name, override) -> override.values()
			.forEach((key, value) -> properties.put(PropertyOrigins.boundProperty(POLICIES, name, key),
					OriginTrackedValue.of(value, RUNTIME_OVERRIDE))));
		breakers.forEach((name, override) -> override.values()
			.forEach((key, value) -> properties.put(PropertyOrigins.boundProperty(BREAKERS, name, key),
					OriginTrackedValue.of(value, RUNTIME_OVERRIDE))));
		return new OriginTrackedMapPropertySource("retry runtime overrides", properties, true);
	}

	/**
	 * The values of an override under their keys as YAML writes them ({@code maxAttempts} is
	 * {@code max-attempts}), once the one check of property names, the start-up one, found each key.
	 * @throws RetryConfigurationException for no key, or a key that binds to nothing (the start-up
	 * message, with the origin {@code runtime override})
	 */
	private static Map<String, String> knownKeys(String map, String name, String what, Map<String, String> values,
			List<String> allowed) {
		if (values.isEmpty()) {
			throw new RetryConfigurationException("No key given for " + what + ".",
					"Give one or more of: " + String.join(", ", allowed) + ".");
		}
		Map<String, Object> properties = new LinkedHashMap<>();
		values.forEach((key, value) -> properties.put(PropertyOrigins.boundProperty(map, name, key),
				OriginTrackedValue.of(value, RUNTIME_OVERRIDE)));
		KnownKeys.RETRY.check(ConfigurationPropertySources
			.from(new OriginTrackedMapPropertySource("retry runtime overrides", properties, true)));
		Map<String, String> known = new LinkedHashMap<>();
		values.forEach((key, value) -> {
			String canonical = KnownKeys.RETRY.entryKey(map, key);
			if (canonical == null) {
				throw new RetryConfigurationException("Key '" + key + "' of " + what + " names no single value.",
						"Give one or more of these keys, whole: " + String.join(", ", allowed) + ".");
			}
			if (!allowed.contains(canonical)) {
				throw new RetryConfigurationException("Key '" + key + "' of " + what
						+ " cannot be changed at runtime: it is settled at start-up.",
						"Change it in the configuration and restart. Keys that change at runtime: "
								+ String.join(", ", allowed) + ".");
			}
			known.put(canonical, value);
		});
		return known;
	}

	private static Map<String, Override> copy(Map<String, Override> overrides) {
		return new LinkedHashMap<>(overrides);
	}

	/** Values set at runtime for one policy or breaker, and when each was set. */
	private record Override(Map<String, String> values, Map<String, Instant> times) {

		static Override of(Map<String, String> values, Instant at) {
			Map<String, Instant> times = new LinkedHashMap<>();
			values.keySet().forEach((key) -> times.put(key, at));
			return new Override(Map.copyOf(values), Map.copyOf(times));
		}

		Override plus(Override later) {
			Map<String, String> values = new LinkedHashMap<>(this.values);
			values.putAll(later.values);
			Map<String, Instant> times = new LinkedHashMap<>(this.times);
			times.putAll(later.times);
			return new Override(Map.copyOf(values), Map.copyOf(times));
		}

	}

	/** The {@code source} shown for a value set at runtime. */
	public static final String OVERRIDE_SOURCE = "runtime override";

	private static final Origin RUNTIME_OVERRIDE = new Origin() {
		@java.lang.Override
		public String toString() {
			return OVERRIDE_SOURCE;
		}
	};

	/**
	 * @param message what was wrong, as start-up would have said it
	 * @param at when the reload was refused
	 */
	public record ReloadError(String message, Instant at) {
	}

}
