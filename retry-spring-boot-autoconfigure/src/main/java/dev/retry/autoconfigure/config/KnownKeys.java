package dev.retry.autoconfigure.config;

import java.beans.PropertyDescriptor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.retry.autoconfigure.diagnostics.RetryConfigurationException;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.BeanUtils;
import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.PropertySourceOrigin;
import org.springframework.boot.origin.SystemEnvironmentOrigin;
import org.springframework.core.ResolvableType;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * The property names under {@code retry} that bind to something, and the one check that every
 * property set there is one of them: at start-up over the Environment, at runtime over the
 * overrides as well. The names are read from the properties classes themselves (every JavaBean
 * property of {@link RetryProperties} and of its nested classes, the entries of a map by any name,
 * the elements of a list by index), so a key added to a class is known at once. Names are compared
 * as Spring Boot's binder compares them: {@code max-attempts}, {@code maxAttempts},
 * {@code max_attempts} and the environment's {@code MAXATTEMPTS} are one key.
 */
final class KnownKeys {

	/** Everything under {@code retry}. */
	static final KnownKeys RETRY = new KnownKeys("retry", RetryProperties.class);

	private final ConfigurationPropertyName root;

	private final Node tree;

	KnownKeys(String prefix, Class<?> properties) {
		this.root = ConfigurationPropertyName.of(prefix);
		this.tree = node(ResolvableType.forClass(properties), new HashSet<>());
	}

	/**
	 * Fails when any source sets a property under the prefix that binds to nothing.
	 * @param sources strongest first, as the binder reads them
	 * @throws RetryConfigurationException naming each such property, where it was set and the
	 * closest valid key
	 */
	void check(Iterable<ConfigurationPropertySource> sources) {
		Map<String, Unknown> unknown = new LinkedHashMap<>();
		for (ConfigurationPropertySource source : sources) {
			if (!(source instanceof IterableConfigurationPropertySource iterable)) {
				continue;
			}
			boolean environment = isSystemEnvironment(source);
			iterable.filter(this.root::isAncestorOf).stream().forEach((name) -> {
				Unknown found = find(name, source, environment);
				if (found != null) {
					unknown.putIfAbsent(found.property() + " " + found.origin(), found);
				}
			});
		}
		if (!unknown.isEmpty()) {
			throw failure(List.copyOf(unknown.values()));
		}
	}

	/**
	 * A key of one entry of a map, such as {@code maxattempts} of {@code retry.policies.<name>}, in
	 * the form the configuration metadata writes it ({@code max-attempts}); {@code null} when the
	 * entries have no such key.
	 * @param map the map, such as {@code retry.policies}
	 */
	@Nullable String entryKey(String map, String key) {
		ConfigurationPropertyName mapName = ConfigurationPropertyName.of(map);
		ConfigurationPropertyName keyName = ConfigurationPropertyName.adapt(key, '.');
		if (keyName.isEmpty()) {
			return null;
		}
		Node node = this.tree;
		for (int i = this.root.getNumberOfElements(); i < mapName.getNumberOfElements() && node != null; i++) {
			node = node.child(mapName, i);
		}
		if (node == null || node.kind != Kind.MAP) {
			return null;
		}
		node = node.element;
		List<String> dashed = new ArrayList<>();
		for (int i = 0; i < keyName.getNumberOfElements(); i++) {
			if (node == null || node.kind != Kind.GROUP) {
				return null;
			}
			String uniform = uniform(keyName.getElement(i, Form.ORIGINAL));
			dashed.add(node.keys.get(uniform));
			node = node.children.get(uniform);
		}
		return (node != null && node.kind != Kind.GROUP && node.kind != Kind.MAP) ? String.join(".", dashed) : null;
	}

	/** What is wrong with one property's name, or {@code null} when it binds. */
	private @Nullable Unknown find(ConfigurationPropertyName name, ConfigurationPropertySource source,
			boolean environment) {
		Node node = this.tree;
		StringBuilder pattern = new StringBuilder(this.root.toString());
		StringBuilder canonical = new StringBuilder(this.root.toString());
		int start = this.root.getNumberOfElements();
		for (int i = start; i < name.getNumberOfElements(); i++) {
			Node next = node.child(name, i);
			if (next == null) {
				ConfigurationProperty property = source.getConfigurationProperty(name);
				Origin origin = (property != null) ? property.getOrigin() : null;
				// The environment is every program's: a variable such as RETRY_COUNT is not ours unless
				// it is a near miss of one of our keys (RETRY_POLICES_...); RETRY_BASE_DELAY is our mirror.
				if (environment && (mirrored(origin)
						|| (i == start && node.closest(uniform(name.getElement(i, Form.ORIGINAL))) == null))) {
					return null;
				}
				return unknown(name, i, node, pattern.toString(), canonical.toString(), property, origin, source,
						environment);
			}
			pattern.append(node.step(name, i));
			canonical.append(node.written(name, i));
			if (next.kind == Kind.ANY) {
				return null;
			}
			node = next;
		}
		return null;
	}

	private Unknown unknown(ConfigurationPropertyName name, int at, Node node, String pattern, String canonical,
			@Nullable ConfigurationProperty property, @Nullable Origin origin, ConfigurationPropertySource source,
			boolean environment) {
		String written = name.toString();
		String element = name.getElement(at, Form.ORIGINAL);
		String reason;
		String suggestion = null;
		if (node.kind == Kind.GROUP) {
			String closest = node.closest(uniform(element));
			reason = "'" + element + "' is not a key of " + pattern;
			if (closest != null) {
				StringBuilder corrected = new StringBuilder(canonical).append('.').append(closest);
				Node next = node.children.get(uniform(closest));
				for (int i = at + 1; i < name.getNumberOfElements(); i++) {
					Node after = (next != null) ? next.child(name, i) : null;
					corrected.append((next != null && after != null) ? next.written(name, i)
							: "." + name.getElement(i, Form.ORIGINAL));
					next = after;
				}
				suggestion = corrected.toString();
				if (environment) {
					suggestion += " (environment variable " + variable(ConfigurationPropertyName.adapt(suggestion, '.'))
							+ ")";
				}
			}
		}
		else if (node.kind == Kind.LIST) {
			reason = pattern + " is a list: its elements are numbered, " + pattern + "[0], " + pattern + "[1]...";
		}
		else {
			reason = pattern + " is a value, it has no keys of its own";
		}
		String where = (origin != null) ? origin.toString() : describe(source);
		Object value = (property != null) ? property.getValue() : null;
		return new Unknown(written, value, where, reason, suggestion, node, pattern);
	}

	private static RetryConfigurationException failure(List<Unknown> unknown) {
		StringBuilder description = new StringBuilder((unknown.size() == 1)
				? "Unknown retry configuration property: nothing binds it, so it would change nothing.\n"
				: "Unknown retry configuration properties: nothing binds them, so they would change nothing.\n");
		Map<String, Node> levels = new LinkedHashMap<>();
		for (Unknown property : unknown) {
			description.append('\n')
				.append("    Property: ").append(property.property()).append('\n');
			if (property.value() != null) {
				description.append("    Value:    \"").append(property.value()).append("\"\n");
			}
			description.append("    Origin:   ").append(property.origin()).append('\n')
				.append("    Reason:   ").append(property.reason());
			description.append((property.suggestion() != null) ? "; did you mean " + property.suggestion() + "?" : ".");
			description.append('\n');
			if (property.level().kind == Kind.GROUP) {
				levels.putIfAbsent(property.pattern(), property.level());
			}
		}
		StringBuilder action = new StringBuilder(
				(unknown.size() == 1) ? "Correct or remove the property." : "Correct or remove each property.");
		levels.forEach((pattern, level) -> action.append(" The keys of ").append(pattern).append(" are: ")
			.append(String.join(", ", level.keys.values())).append('.'));
		action.append(" Spring Boot's relaxed forms are accepted (max-attempts, maxAttempts, max_attempts,"
				+ " RETRY_DEFAULTS_MAXATTEMPTS).");
		return new RetryConfigurationException(description.toString().stripTrailing(), action.toString());
	}

	/** {@code RETRY_POLICIES_NETWORK_MAXATTEMPTS}: how the environment spells a property. */
	private static String variable(ConfigurationPropertyName name) {
		List<String> parts = new ArrayList<>();
		for (int i = 0; i < name.getNumberOfElements(); i++) {
			parts.add(uniform(name.getElement(i, Form.ORIGINAL)).toUpperCase(Locale.ROOT));
		}
		return String.join("_", parts);
	}

	private static boolean isSystemEnvironment(ConfigurationPropertySource source) {
		return source.getUnderlyingSource() instanceof SystemEnvironmentPropertySource;
	}

	/** Whether a property comes from one of the variables mirrored onto {@code retry.defaults} ({@code RETRY_BASE_DELAY}...). */
	private static boolean mirrored(@Nullable Origin origin) {
		String variable = (origin instanceof SystemEnvironmentOrigin environment) ? environment.getProperty()
				: (origin instanceof PropertySourceOrigin source) ? source.getPropertyName() : null;
		return variable != null && MirroredEnvironmentPropertySource.MIRRORED.containsKey(variable);
	}

	private static String describe(ConfigurationPropertySource source) {
		return (source.getUnderlyingSource() instanceof PropertySource<?> propertySource)
				? "property source '" + propertySource.getName() + "'" : String.valueOf(source.getUnderlyingSource());
	}

	/** An element as the binder compares it: lower case, letters and digits only. */
	private static String uniform(String element) {
		StringBuilder uniform = new StringBuilder(element.length());
		for (int i = 0; i < element.length(); i++) {
			char c = element.charAt(i);
			if (Character.isLetterOrDigit(c)) {
				uniform.append(Character.toLowerCase(c));
			}
		}
		return uniform.toString();
	}

	/**
	 * @param property the property as found
	 * @param value its value, when the source has one
	 * @param origin where it was set
	 * @param reason what is wrong with its name
	 * @param suggestion the closest valid property, or {@code null}
	 * @param level the node whose keys it missed
	 * @param pattern that node, as {@code retry.policies.<name>}
	 */
	private record Unknown(String property, @Nullable Object value, String origin, String reason,
			@Nullable String suggestion, Node level, String pattern) {
	}

	private enum Kind {

		/** An object of the properties classes: its keys are its JavaBean properties. */
		GROUP,

		/** A map keyed by name: any entry, each an {@link #element}. */
		MAP,

		/** A list: numbered elements, each an {@link #element}. */
		LIST,

		/** A value: nothing below it. */
		VALUE,

		/** Anything below it binds (the keys of a map of values may hold dots). */
		ANY

	}

	private static Node node(ResolvableType type, Set<Class<?>> enclosing) {
		Class<?> raw = type.resolve(Object.class);
		if (Map.class.isAssignableFrom(raw)) {
			Node value = node(type.asMap().getGeneric(1), enclosing);
			return (value.kind == Kind.GROUP) ? new Node(Kind.MAP, value) : new Node(Kind.ANY, null);
		}
		if (Collection.class.isAssignableFrom(raw)) {
			return new Node(Kind.LIST, node(type.asCollection().getGeneric(0), enclosing));
		}
		if (raw.isArray()) {
			return new Node(Kind.LIST, node(type.getComponentType(), enclosing));
		}
		if (!isGroup(raw) || !enclosing.add(raw)) {
			return new Node(Kind.VALUE, null);
		}
		Node group = new Node(Kind.GROUP, null);
		for (PropertyDescriptor property : inDeclarationOrder(raw)) {
			if (property.getReadMethod() == null || "class".equals(property.getName())) {
				continue;
			}
			Node child = node(ResolvableType.forMethodReturnType(property.getReadMethod()), enclosing);
			// A value binds through its setter; a nested object, a map or a list also through its getter.
			if (property.getWriteMethod() != null || child.kind != Kind.VALUE) {
				String key = DataObjectPropertyName.toDashedForm(property.getName());
				group.keys.put(uniform(key), key);
				group.children.put(uniform(key), child);
			}
		}
		enclosing.remove(raw);
		return group;
	}

	/** The JavaBean properties of a class in the order its fields are declared, as the metadata lists them. */
	private static List<PropertyDescriptor> inDeclarationOrder(Class<?> type) {
		List<String> fields = new ArrayList<>();
		for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
			for (java.lang.reflect.Field field : c.getDeclaredFields()) {
				fields.add(field.getName());
			}
		}
		List<PropertyDescriptor> properties = new ArrayList<>(List.of(BeanUtils.getPropertyDescriptors(type)));
		properties.sort(java.util.Comparator.comparingInt((property) -> {
			int index = fields.indexOf(property.getName());
			return (index >= 0) ? index : Integer.MAX_VALUE;
		}));
		return properties;
	}

	/** Whether a type binds as an object with keys of its own rather than as a value. */
	private static boolean isGroup(Class<?> type) {
		String name = type.getName();
		return !type.isPrimitive() && !type.isEnum() && !type.isInterface() && type != Object.class
				&& !name.startsWith("java.") && !name.startsWith("javax.") && !name.startsWith("jakarta.")
				&& !name.startsWith("org.springframework.");
	}

	private static final class Node {

		final Kind kind;

		/** The node of each entry of a map or element of a list. */
		final @Nullable Node element;

		/** A group's keys, uniform form to the form the metadata writes. */
		final Map<String, String> keys = new LinkedHashMap<>();

		final Map<String, Node> children = new LinkedHashMap<>();

		Node(Kind kind, @Nullable Node element) {
			this.kind = kind;
			this.element = element;
		}

		/** The node element {@code i} of {@code name} leads to; {@code null} when it binds to nothing. */
		@Nullable Node child(ConfigurationPropertyName name, int i) {
			return switch (this.kind) {
				case GROUP -> this.children.get(uniform(name.getElement(i, Form.ORIGINAL)));
				case MAP -> this.element;
				case LIST -> name.isNumericIndex(i) ? this.element : null;
				case ANY -> this;
				case VALUE -> null;
			};
		}

		/** Element {@code i} of {@code name} as the pattern of the node it leads to shows it. */
		String step(ConfigurationPropertyName name, int i) {
			return switch (this.kind) {
				case GROUP -> "." + this.keys.get(uniform(name.getElement(i, Form.ORIGINAL)));
				case MAP -> ".<name>";
				case LIST -> "[n]";
				default -> "";
			};
		}

		/** Element {@code i} of {@code name} as the configuration metadata writes it. */
		String written(ConfigurationPropertyName name, int i) {
			String element = name.getElement(i, Form.ORIGINAL);
			return switch (this.kind) {
				case GROUP -> "." + this.keys.get(uniform(element));
				case LIST -> "[" + element + "]";
				default -> (name.isNumericIndex(i) || element.contains(".")) ? "[" + element + "]" : "." + element;
			};
		}

		/** The key closest to a mistyped one, or {@code null} when none is close. */
		@Nullable String closest(String uniform) {
			String best = null;
			int bestDistance = Integer.MAX_VALUE;
			for (Map.Entry<String, String> key : this.keys.entrySet()) {
				int distance = distance(uniform, key.getKey());
				boolean near = distance <= Math.max(1, Math.min(3, key.getKey().length() / 4))
						|| (uniform.length() >= 4 && key.getKey().contains(uniform))
						|| (key.getKey().length() >= 4 && uniform.contains(key.getKey()));
				if (near && distance < bestDistance) {
					best = key.getValue();
					bestDistance = distance;
				}
			}
			return best;
		}

		/** Edit distance, a swap of two neighbours counting as one edit. */
		private static int distance(String a, String b) {
			int[][] d = new int[a.length() + 1][b.length() + 1];
			for (int i = 0; i <= a.length(); i++) {
				d[i][0] = i;
			}
			for (int j = 0; j <= b.length(); j++) {
				d[0][j] = j;
			}
			for (int i = 1; i <= a.length(); i++) {
				for (int j = 1; j <= b.length(); j++) {
					int cost = (a.charAt(i - 1) == b.charAt(j - 1)) ? 0 : 1;
					d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
					if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
						d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
					}
				}
			}
			return d[a.length()][b.length()];
		}

	}

}
