package dev.retry.autoconfigure.actuate;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.json.JsonParserFactory;
import org.springframework.boot.json.JsonWriter;

/**
 * The body of a write to our endpoints, flattened for a web stack that reads it as a map of
 * strings (Spring MVC and WebFlux both do): nested objects become dotted keys
 * ({@code {"configuration": {"open-duration": "5s"}}} is {@code configuration.open-duration}) and
 * lists comma-separated text, as in a properties file. Each stack has its own hook that hands the
 * body here before reading it: {@link NestedBodyAdvice}, {@link NestedBodyWebFilter}.
 */
final class NestedBody {

	private NestedBody() {
	}

	/**
	 * The body with nested values flattened, or {@code null} when it needs nothing or is no JSON
	 * object (then it goes on unchanged, for the web stack to refuse).
	 */
	static byte @Nullable [] flattened(String json) {
		Map<String, Object> parsed;
		try {
			parsed = JsonParserFactory.getJsonParser().parseMap(json);
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
		if (parsed.values().stream().noneMatch((value) -> value instanceof Map || value instanceof List)) {
			return null;
		}
		Map<String, @Nullable Object> flat = new LinkedHashMap<>();
		flatten("", parsed, flat);
		return JsonWriter.<Map<String, @Nullable Object>>standard().writeToString(flat).getBytes(StandardCharsets.UTF_8);
	}

	private static void flatten(String prefix, Map<?, ?> values, Map<String, @Nullable Object> flat) {
		values.forEach((key, value) -> {
			String name = prefix + key;
			if (value instanceof Map<?, ?> nested) {
				flatten(name + ".", nested, flat);
			}
			else if (value instanceof List<?> list) {
				flat.put(name, String.join(",", list.stream().map(String::valueOf).toList()));
			}
			else {
				flat.put(name, (value != null) ? String.valueOf(value) : null);
			}
		});
	}

}
