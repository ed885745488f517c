package dev.retry.docs;

import java.beans.PropertyDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import dev.retry.autoconfigure.config.RetryProperties;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.BeanUtils;

/**
 * Writes docs/configuration-reference.md from the configuration metadata the build produces for
 * {@link RetryProperties} (every key, type, default and description, as IDEs show them). The
 * metadata describes a map of breakers as one property, so the keys of one breaker are read from
 * {@link RetryProperties.Breaker} itself: its defaults from a new instance, its descriptions from
 * the javadoc of its fields, which is where the metadata's descriptions come from too.
 */
public final class ConfigurationReference {

	static final String BREAKERS = "retry.circuit-breakers";

	static final String POLICIES = "retry.policies";

	private static final Pattern FIELD = Pattern.compile(
			"/\\*\\*(.*?)\\*/\\s*(?:@\\w+\\s*)*private\\s+(?:@Nullable\\s+)?[\\w<>, .@]+?\\s+(\\w+)\\s*[=;]",
			Pattern.DOTALL);

	private ConfigurationReference() {
	}

	/** One key of the reference. */
	public record Row(String key, String type, String defaultValue, String description) {
	}

	/** Every row, in the order of the page. */
	public static List<Row> rows(Path root) {
		List<Row> rows = new ArrayList<>();
		for (JsonNode property : metadata().get("properties")) {
			String name = property.get("name").asString();
			if (!name.startsWith("retry.")) {
				continue;
			}
			String type = property.path("type").asString("");
			String description = clean(property.path("description").asString(""));
			if (name.equals(POLICIES)) {
				rows.add(new Row(POLICIES + ".<name>.*", "as retry.defaults", "",
						description + " Every key of retry.defaults, per policy."));
			}
			else if (name.equals(BREAKERS)) {
				rows.addAll(breakerRows(root, description));
			}
			else {
				rows.add(new Row(name, type(type), defaultValue(property.get("defaultValue")), description));
			}
		}
		return rows;
	}

	/** The page, as the test expects to find it. */
	public static String page(Path root) {
		StringBuilder page = new StringBuilder();
		page.append("# Configuration reference\n\n[Guide index](README.md)\n\n");
		page.append("Every key under `retry.`, generated from the configuration metadata the build produces (the\n");
		page.append("javadoc of the properties classes): do not edit by hand, run the `docs` module's tests with\n");
		page.append("`-Ddocs.update=true`. How to set them, the presets and the precedence are in\n");
		page.append("[Configuration](configuration.md). Durations take `500ms`, `2s`, `PT1S` or bare seconds (`0.5`);\n");
		page.append("in the environment, `retry.policies.network.max-attempts` is `RETRY_POLICIES_NETWORK_MAXATTEMPTS`.\n");
		String section = null;
		for (Row row : rows(root)) {
			String group = group(row.key());
			if (!group.equals(section)) {
				section = group;
				page.append("\n## `").append(group).append("`\n\n");
				page.append("| key | type | default | description |\n|---|---|---|---|\n");
			}
			page.append("| `").append(row.key()).append("` | ").append(cell(row.type())).append(" | ")
				.append(row.defaultValue().isEmpty() ? "" : "`" + row.defaultValue() + "`").append(" | ")
				.append(cell(row.description())).append(" |\n");
		}
		return page.toString();
	}

	private static String group(String key) {
		String[] parts = key.split("\\.");
		if (parts.length <= 2) {
			return "retry";
		}
		return parts[0] + "." + parts[1];
	}

	private static List<Row> breakerRows(Path root, String mapDescription) {
		Map<String, String> javadoc = breakerJavadoc(root);
		RetryProperties.Breaker defaults = new RetryProperties.Breaker();
		List<Row> rows = new ArrayList<>();
		for (PropertyDescriptor descriptor : BeanUtils.getPropertyDescriptors(RetryProperties.Breaker.class)) {
			if (descriptor.getWriteMethod() == null || descriptor.getReadMethod() == null) {
				continue;
			}
			String field = descriptor.getName();
			String description = javadoc.get(field);
			if (description == null) {
				throw new IllegalStateException("RetryProperties.Breaker." + field + " has no javadoc to describe it");
			}
			rows.add(new Row(BREAKERS + ".<name>." + dashed(field), type(descriptor.getReadMethod().getGenericReturnType()
				.getTypeName()), value(read(descriptor, defaults)), description));
		}
		rows.sort((a, b) -> Integer.compare(order(javadoc, a), order(javadoc, b)));
		rows.add(0, new Row(BREAKERS + ".<name>", "", "", mapDescription));
		return rows;
	}

	private static int order(Map<String, String> javadoc, Row row) {
		String key = row.key().substring((BREAKERS + ".<name>.").length());
		return new ArrayList<>(javadoc.keySet()).indexOf(camel(key));
	}

	/** The javadoc of each field of RetryProperties.Breaker, in declaration order. */
	static Map<String, String> breakerJavadoc(Path root) {
		Path source = root.resolve(
				"retry-spring-boot-autoconfigure/src/main/java/dev/retry/autoconfigure/config/RetryProperties.java");
		String text;
		try {
			text = Files.readString(source);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		int start = text.indexOf("public static class Breaker ");
		if (start < 0) {
			throw new IllegalStateException(source + " has no class Breaker");
		}
		int end = text.indexOf("\tpublic ", text.indexOf('{', start));
		Matcher field = FIELD.matcher(text.substring(start, (end > 0) ? end : text.length()));
		Map<String, String> javadoc = new LinkedHashMap<>();
		while (field.find()) {
			javadoc.put(field.group(2), clean(field.group(1).replaceAll("(?m)^\\s*\\*", " ")));
		}
		return javadoc;
	}

	private static Object read(PropertyDescriptor descriptor, Object bean) {
		try {
			return descriptor.getReadMethod().invoke(bean);
		}
		catch (IllegalAccessException | InvocationTargetException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String value(Object value) {
		if (value == null) {
			return "";
		}
		if (value instanceof Duration duration) {
			if (duration.isZero()) {
				return "0";
			}
			if (duration.toMillis() % 1000 == 0) {
				return duration.toSeconds() + "s";
			}
			return duration.toMillis() + "ms";
		}
		if (value instanceof Collection<?> collection) {
			return collection.isEmpty() ? "" : collection.toString();
		}
		if (value instanceof Enum<?> constant) {
			return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
		}
		return String.valueOf(value);
	}

	private static String defaultValue(JsonNode value) {
		if (value == null || value.isNull()) {
			return "";
		}
		if (value.isArray()) {
			List<String> items = new ArrayList<>();
			value.forEach((item) -> items.add(item.asString()));
			return items.isEmpty() ? "" : items.toString();
		}
		return value.asString();
	}

	private static String type(String type) {
		String simple = type.replaceAll("\\b(?:[a-z_][a-z0-9_]*\\.)+", "").replace('$', '.');
		simple = simple.replace("RetryProperties.", "");
		try {
			Class<?> enumType = Class.forName(type.replaceAll("<.*", ""));
			if (enumType.isEnum()) {
				return Arrays.stream(enumType.getEnumConstants())
					.map((constant) -> ((Enum<?>) constant).name().toLowerCase(Locale.ROOT).replace('_', '-'))
					.collect(Collectors.joining(" \\| "));
			}
		}
		catch (ClassNotFoundException ex) {
			// a generic or primitive type: its simple name says it
		}
		return switch (simple) {
			case "Integer", "int" -> "int";
			case "Double", "double" -> "number";
			case "Boolean", "boolean" -> "boolean";
			case "Duration" -> "duration";
			case "List<String>" -> "list of names";
			case "List<Integer>" -> "list of ints";
			default -> simple;
		};
	}

	private static String cell(String text) {
		return text.replace("|", "\\|").replace("\\\\|", "\\|");
	}

	private static String clean(String javadoc) {
		return javadoc.replaceAll("\\{@(?:code|link|literal) ([^}]*)}", "`$1`").replaceAll("\\s+", " ").trim();
	}

	static String dashed(String camel) {
		return camel.replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
	}

	static String camel(String dashed) {
		StringBuilder camel = new StringBuilder();
		boolean upper = false;
		for (char c : dashed.toCharArray()) {
			if (c == '-') {
				upper = true;
			}
			else {
				camel.append(upper ? Character.toUpperCase(c) : c);
				upper = false;
			}
		}
		return camel.toString();
	}

	private static JsonNode metadata() {
		try {
			Enumeration<URL> found = ConfigurationReference.class.getClassLoader()
				.getResources("META-INF/spring-configuration-metadata.json");
			while (found.hasMoreElements()) {
				try (InputStream in = found.nextElement().openStream()) {
					String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
					if (json.contains("\"" + RetryProperties.class.getName() + "\"")) {
						return JsonMapper.builder().build().readTree(json);
					}
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		throw new IllegalStateException("No configuration metadata of " + RetryProperties.class.getName()
				+ " on the class path: the autoconfigure module is built with spring-boot-configuration-processor");
	}

}
