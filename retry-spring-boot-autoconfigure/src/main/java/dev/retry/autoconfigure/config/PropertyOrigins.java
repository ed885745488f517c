package dev.retry.autoconfigure.config;

import dev.retry.autoconfigure.diagnostics.RetryConfigurationException;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.ConfigurationPropertyState;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * Where properties are set, as Spring's binder sees them (relaxed names and source order included).
 * Entries of a map keyed by name ({@code retry.policies.<name>}) are found by the name as the
 * binder keys the map, in any form it accepts ({@code myPolicy}, {@code my_policy},
 * {@code my-policy}, {@code [inventory.v2]}), never by a relaxed form that would confuse two names.
 */
final class PropertyOrigins {

	private final Environment environment;

	private final Iterable<ConfigurationPropertySource> sources;

	PropertyOrigins(Environment environment) {
		this(environment, ConfigurationPropertySources.get(environment));
	}

	/** Origins in {@code sources}, strongest first (the environment's, with runtime overrides in front of them). */
	PropertyOrigins(Environment environment, Iterable<ConfigurationPropertySource> sources) {
		this.environment = environment;
		this.sources = sources;
	}

	/** The sources, strongest first. */
	Iterable<ConfigurationPropertySource> sources() {
		return this.sources;
	}

	/**
	 * Where the strongest source sets a property (or, for a list or group, one of its elements).
	 * @return a file and line, an environment variable, a source name; {@code null} when unset
	 */
	@Nullable String originOf(String property) {
		ConfigurationPropertyName name = ConfigurationPropertyName.of(property);
		for (ConfigurationPropertySource source : this.sources) {
			String origin = originIn(source, name);
			if (origin != null) {
				return origin;
			}
		}
		return null;
	}

	/**
	 * Where the strongest source sets a key of one entry of a map keyed by name.
	 * @param map the map, such as {@code retry.policies}
	 * @param entry the entry's key, as bound
	 * @param key the key within the entry, such as {@code max-attempts} or {@code budget.ratio}
	 * @return as {@link #originOf(String)}
	 */
	@Nullable String originOf(String map, String entry, String key) {
		ConfigurationPropertyName root = ConfigurationPropertyName.of(map);
		ConfigurationPropertyName keyName = ConfigurationPropertyName.of(key);
		int entryIndex = root.getNumberOfElements();
		String bound = boundKey(entry);
		for (ConfigurationPropertySource source : this.sources) {
			if (source instanceof IterableConfigurationPropertySource iterable) {
				ConfigurationPropertyName match = iterable.filter(root::isAncestorOf)
					.stream()
					.filter((name) -> name.getNumberOfElements() > entryIndex + 1
							&& bound.equals(name.getElement(entryIndex, Form.ORIGINAL)))
					.filter((name) -> {
						ConfigurationPropertyName within = name.subName(entryIndex + 1);
						return within.equals(keyName) || keyName.isAncestorOf(within);
					})
					.findFirst()
					.orElse(null);
				if (match != null) {
					ConfigurationProperty found = source.getConfigurationProperty(match);
					return (found != null && found.getOrigin() != null) ? found.getOrigin().toString()
							: describe(source);
				}
			}
			else {
				String origin = originIn(source, root.append("[" + bound + "]").append(keyName));
				if (origin != null) {
					return origin;
				}
			}
		}
		return null;
	}

	/** Where one source sets a property (or, for a list or group, one of its elements); {@code null} when it does not. */
	private static @Nullable String originIn(ConfigurationPropertySource source, ConfigurationPropertyName name) {
		ConfigurationProperty found = source.getConfigurationProperty(name);
		if (found != null) {
			return (found.getOrigin() != null) ? found.getOrigin().toString() : describe(source);
		}
		return (source.containsDescendantOf(name) == ConfigurationPropertyState.PRESENT) ? describe(source) : null;
	}

	/**
	 * Fails when a property under a map keyed by name has a name the binder would change (it
	 * drops characters such as spaces or accents from a key not written in brackets), so that no
	 * entry is silently bound under another name or left out.
	 * @param map the map, such as {@code retry.policies}
	 * @throws RetryConfigurationException naming the property and how to write it
	 */
	void checkEntryNames(String map) {
		if (!(this.environment instanceof ConfigurableEnvironment configurable)) {
			return;
		}
		String prefix = map + ".";
		for (PropertySource<?> source : configurable.getPropertySources()) {
			if (!(source instanceof EnumerablePropertySource<?> enumerable)
					|| StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME.equals(source.getName())) {
				// Environment variables are mapped by Spring's own rules (underscores separate).
				continue;
			}
			for (String property : enumerable.getPropertyNames()) {
				if (!property.startsWith(prefix) || property.startsWith(prefix + "[")) {
					continue;
				}
				int end = indexOfAny(property, prefix.length());
				String entry = property.substring(prefix.length(), end);
				ConfigurationPropertyName adapted = ConfigurationPropertyName.adapt(entry, '.');
				if (adapted.getNumberOfElements() != 1 || !entry.equals(adapted.getElement(0, Form.ORIGINAL))) {
					String bound = adapted.isEmpty() ? "nothing (it would be ignored)" : "'" + adapted + "'";
					throw RetryConfigurationException.invalidProperty(property, enumerable.getProperty(property),
							"property source '" + source.getName() + "'",
							"the name '" + entry + "' cannot be bound as written: Spring Boot would bind it as "
									+ bound,
							"a name of letters, digits, '-' and '_' (such as myPolicy, my_policy or my-policy), "
									+ "or any name in brackets: " + prefix + "[" + entry + "]"
									+ property.substring(end));
				}
			}
		}
	}

	/**
	 * A key of a map entry as a user writes it: the name in brackets when it needs them. For
	 * messages: a name with an unmatched bracket is shown as it is, though no property can hold it
	 * (see {@link #boundProperty}).
	 */
	static String entryProperty(String map, String entry, String key) {
		boolean plain = !entry.isEmpty() && entry.chars()
			.allMatch((c) -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
					|| c == '_');
		return map + (plain ? "." + entry : ".[" + entry + "]") + "." + key;
	}

	/** A key of a map entry as a property the binder reads into the entry {@link #boundKey(String) boundKey(entry)}. */
	static String boundProperty(String map, String entry, String key) {
		return entryProperty(map, boundKey(entry), key);
	}

	/**
	 * The key under which the binder holds an entry of a map keyed by name: the name itself, unless
	 * no property name can hold it. Spring Boot reads a bracketed element up to its matching
	 * {@code ]}, with no escape, so a name with an unmatched bracket (a Gateway route's id such as
	 * {@code legacy]route}, which names a breaker made on demand and can only be tuned at runtime)
	 * is held with {@code %}, {@code [} and {@code ]} percent-encoded ({@code legacy%5Droute}).
	 * Names from configuration always have matched brackets, so they are their own keys.
	 */
	static String boundKey(String entry) {
		int depth = 0;
		for (int i = 0; i < entry.length() && depth >= 0; i++) {
			char c = entry.charAt(i);
			depth += (c == '[') ? 1 : (c == ']') ? -1 : 0;
		}
		if (depth == 0) {
			return entry;
		}
		StringBuilder encoded = new StringBuilder(entry.length() + 8);
		for (int i = 0; i < entry.length(); i++) {
			char c = entry.charAt(i);
			switch (c) {
				case '%' -> encoded.append("%25");
				case '[' -> encoded.append("%5B");
				case ']' -> encoded.append("%5D");
				default -> encoded.append(c);
			}
		}
		return encoded.toString();
	}

	private static int indexOfAny(String property, int from) {
		for (int i = from; i < property.length(); i++) {
			char c = property.charAt(i);
			if (c == '.' || c == '[') {
				return i;
			}
		}
		return property.length();
	}

	private static String describe(ConfigurationPropertySource source) {
		Object underlying = source.getUnderlyingSource();
		if (underlying instanceof PropertySource<?> propertySource) {
			return "property source '" + propertySource.getName() + "'";
		}
		return String.valueOf(underlying);
	}

}
