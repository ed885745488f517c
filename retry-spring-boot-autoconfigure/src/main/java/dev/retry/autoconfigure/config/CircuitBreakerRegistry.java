package dev.retry.autoconfigure.config;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

import dev.retry.autoconfigure.diagnostics.RetryConfigurationException;
import dev.retry.autoconfigure.logging.CircuitBreakerLogListener;
import dev.retry.breaker.CircuitBreaker;
import dev.retry.breaker.CircuitBreakerConfig;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Every circuit breaker of the application, one per name, shared by everything that names it.
 * The configured ones ({@code retry.circuit-breakers.<name>}) are made at start-up; annotations
 * only ever name those. Spring Cloud's circuit breaker factories (OpenFeign clients, Gateway routes)
 * name breakers in code instead: {@link #getOrCreate} makes such a breaker on first use, once,
 * configured like {@code retry.circuit-breakers.default}. Whoever keeps something per breaker
 * (meters, the fleet) hears of each one through {@link #onBreakerAdded}. Nothing reached from
 * outside (an endpoint, a message) creates a breaker: {@link #find} never does.
 */
public final class CircuitBreakerRegistry {

	private static final Log logger = LogFactory.getLog(CircuitBreakerLogListener.LOGGER);

	private final Map<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();

	/** Names of the breakers made on demand. */
	private final Set<String> onDemand = ConcurrentHashMap.newKeySet();

	/** Configured breakers by another name of theirs, asked for in another form (see {@link #getOrCreate}). */
	private final Map<String, CircuitBreaker> relaxed = new ConcurrentHashMap<>();

	private final List<Consumer<CircuitBreaker>> watchers = new CopyOnWriteArrayList<>();

	/** Makes a breaker of a configuration: its ticker, status resolver and listeners are the configured breakers' own. */
	private final @Nullable Function<CircuitBreakerConfig, CircuitBreaker> maker;

	/** The configuration of a breaker made on demand, by name; replaced when the configuration changes at runtime. */
	private volatile Function<String, CircuitBreakerConfig> onDemandConfig;

	/** A registry of these breakers only: {@link #getOrCreate} makes none. */
	public CircuitBreakerRegistry(Map<String, CircuitBreaker> breakers) {
		this(breakers, null, (name) -> {
			throw new IllegalStateException("no breaker is made on demand");
		});
	}

	/**
	 * @param configured the breakers made at start-up, by name
	 * @param maker makes a breaker of a configuration, for {@link #getOrCreate}
	 * @param onDemandConfig the configuration of a breaker made on demand, by name; must not throw
	 */
	public CircuitBreakerRegistry(Map<String, CircuitBreaker> configured,
			@Nullable Function<CircuitBreakerConfig, CircuitBreaker> maker,
			Function<String, CircuitBreakerConfig> onDemandConfig) {
		this.breakers.putAll(configured);
		this.maker = maker;
		this.onDemandConfig = onDemandConfig;
	}

	/** Names of all breakers, sorted. */
	public Set<String> names() {
		return new TreeSet<>(this.breakers.keySet());
	}

	public Collection<CircuitBreaker> all() {
		return this.breakers.values();
	}

	/** The breaker of that name, or {@code null}; never makes one. */
	public @Nullable CircuitBreaker find(String name) {
		return this.breakers.get(name);
	}

	/**
	 * The breaker a method names: a configured one (one made on demand would be there or not
	 * depending on which call came first).
	 * @throws RetryConfigurationException naming the configured breakers when there is no such breaker
	 */
	public CircuitBreaker get(String name, String usedBy) {
		CircuitBreaker breaker = this.onDemand.contains(name) ? null : this.breakers.get(name);
		if (breaker == null) {
			Set<String> configured = configuredNames();
			String known = configured.isEmpty() ? "None is configured."
					: "Configured circuit breakers: " + String.join(", ", configured) + ".";
			throw new RetryConfigurationException("@CircuitBreaker(name = \"" + name + "\") on " + usedBy
					+ " names no configured circuit breaker. " + known,
					"Declare it under retry.circuit-breakers." + name + " with at least one key (for example retry.circuit-breakers."
							+ name + ".failure-threshold=5); keys left out take their defaults.");
		}
		return breaker;
	}

	/**
	 * The breaker of that name; one that does not exist yet is made now, configured as
	 * {@code retry.circuit-breakers.default} (or with the library's defaults), and from then on is
	 * a breaker like any other. However many threads ask for a new name at once, one breaker is
	 * made. An existing breaker is found without locking or allocating.
	 * <p>
	 * A name with no breaker of its own that is a configured breaker's name in Spring Boot's
	 * relaxed form (lower case, letters and digits only: {@code InventoryClientstockString} and
	 * {@code inventoryclientstockstring}) is that breaker: an environment variable can only write
	 * the name that way ({@code RETRY_CIRCUITBREAKERS_INVENTORYCLIENTSTOCKSTRING_FAILURETHRESHOLD}),
	 * while Spring Cloud asks by the name as its code writes it. Should several configured breakers
	 * match, none is taken, with a warning naming them.
	 * @throws IllegalStateException for a registry that makes no breaker on demand
	 */
	public CircuitBreaker getOrCreate(String name) {
		CircuitBreaker breaker = this.breakers.get(name);
		if (breaker == null) {
			breaker = this.relaxed.get(name);
		}
		return (breaker != null) ? breaker : create(name);
	}

	private synchronized CircuitBreaker create(String name) {
		CircuitBreaker breaker = this.breakers.get(name);
		if (breaker == null) {
			breaker = this.relaxed.get(name);
		}
		if (breaker == null) {
			breaker = configuredInRelaxedForm(name);
		}
		if (breaker != null) {
			return breaker;
		}
		if (this.maker == null) {
			throw new IllegalStateException("No circuit breaker '" + name + "', and this registry makes none on demand");
		}
		breaker = this.maker.apply(this.onDemandConfig.apply(name));
		// Meters and the fleet link are in place before the breaker serves its first call.
		for (Consumer<CircuitBreaker> watcher : this.watchers) {
			tell(watcher, breaker);
		}
		this.onDemand.add(name);
		this.breakers.put(name, breaker);
		logger.info("Circuit breaker '" + name + "' made on first use: " + breaker.getConfig());
		return breaker;
	}

	/** The configured breaker whose name is {@code name} in relaxed form, remembered as such; {@code null} when none or several are. */
	private @Nullable CircuitBreaker configuredInRelaxedForm(String name) {
		String relaxedName = relaxedForm(name);
		if (relaxedName.isEmpty()) {
			return null;
		}
		List<String> matches = configuredNames().stream()
			.filter((configured) -> !configured.equals(CircuitBreakerAssembler.TEMPLATE)
					&& relaxedForm(configured).equals(relaxedName))
			.toList();
		if (matches.size() > 1) {
			logger.warn("Circuit breaker '" + name + "' is not one of the configured breakers " + String.join(", ", matches)
					+ ", which are all its name in relaxed form: it is made on first use instead. Configure it by its name "
					+ "as written (retry.circuit-breakers.[" + name + "]), or keep one of them.");
			return null;
		}
		if (matches.isEmpty()) {
			return null;
		}
		CircuitBreaker configured = this.breakers.get(matches.get(0));
		this.relaxed.put(name, configured);
		logger.info("Circuit breaker '" + name + "' is the configured breaker '" + matches.get(0)
				+ "': the same name in relaxed form, as environment variables write it");
		return configured;
	}

	/**
	 * A name as Spring Boot's relaxed binding compares it: lower case, letters and digits only
	 * ({@code InventoryClient#stock(String)}, {@code InventoryClientstockString} and
	 * {@code inventory-client-stock-string} are all {@code inventoryclientstockstring}).
	 */
	static String relaxedForm(String name) {
		StringBuilder relaxed = new StringBuilder(name.length());
		for (int i = 0; i < name.length(); i++) {
			char c = name.charAt(i);
			if (Character.isLetterOrDigit(c)) {
				relaxed.append(Character.toLowerCase(c));
			}
		}
		return relaxed.toString();
	}

	/**
	 * Calls {@code added} for every breaker there is now, then for each one made later (before it
	 * serves a call), once per breaker. An exception it throws is logged: it never keeps a breaker
	 * from being made.
	 */
	public synchronized void onBreakerAdded(Consumer<CircuitBreaker> added) {
		for (CircuitBreaker breaker : this.breakers.values()) {
			tell(added, breaker);
		}
		this.watchers.add(added);
	}

	private static void tell(Consumer<CircuitBreaker> watcher, CircuitBreaker breaker) {
		try {
			watcher.accept(breaker);
		}
		catch (RuntimeException ex) {
			logger.warn("Could not set up " + watcher + " for circuit breaker '" + breaker.getName() + "'", ex);
		}
	}

	/** Whether the breaker was made on demand, rather than configured at start-up. */
	public boolean isOnDemand(String name) {
		return this.onDemand.contains(name);
	}

	/** Names of the breakers made on demand. */
	public Set<String> onDemandNames() {
		return Set.copyOf(this.onDemand);
	}

	/** Names of the breakers made at start-up, from their configuration. */
	public Set<String> configuredNames() {
		Set<String> configured = names();
		configured.removeAll(this.onDemand);
		return configured;
	}

	/**
	 * Runs {@code change} while no breaker is being made, so that a change of configuration sees
	 * every breaker made on demand and none is made between its check and its effect.
	 */
	public synchronized void holdingAdditions(Runnable change) {
		change.run();
	}

	/** How breakers made on demand from now on are configured; must not throw. */
	public void makeOnDemandWith(Function<String, CircuitBreakerConfig> onDemandConfig) {
		this.onDemandConfig = onDemandConfig;
	}

}
