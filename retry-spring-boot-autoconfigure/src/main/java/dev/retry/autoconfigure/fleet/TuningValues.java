package dev.retry.autoconfigure.fleet;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * The keys of a runtime change as they travel to other instances: {@code key=value&key=value},
 * URL-encoded, or {@code -} for "overrides dropped".
 */
final class TuningValues {

	private static final String DROPPED = "-";

	private TuningValues() {
	}

	static String encode(@Nullable Map<String, String> values) {
		if (values == null) {
			return DROPPED;
		}
		StringBuilder text = new StringBuilder();
		values.forEach((key, value) -> {
			if (!text.isEmpty()) {
				text.append('&');
			}
			text.append(URLEncoder.encode(key, StandardCharsets.UTF_8))
				.append('=')
				.append(URLEncoder.encode(value, StandardCharsets.UTF_8));
		});
		return text.toString();
	}

	/**
	 * @return the values, or {@code null} for dropped overrides
	 * @throws IllegalArgumentException when the text is not of this form
	 */
	static @Nullable Map<String, String> decode(String text) {
		if (DROPPED.equals(text)) {
			return null;
		}
		Map<String, String> values = new LinkedHashMap<>();
		for (String pair : text.split("&")) {
			int equals = pair.indexOf('=');
			if (equals <= 0) {
				throw new IllegalArgumentException("not key=value: " + pair);
			}
			values.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
					URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
		}
		return values;
	}

}
