package dev.retry.autoconfigure.fleet;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.retry.autoconfigure.config.RetryTuning;
import org.jspecify.annotations.Nullable;

/**
 * A runtime change as it travels to the other instances of a fleet:
 * {@code v1|fleet|instance|policy|name|key=value&key=value} (keys and values URL-encoded), with
 * {@code -} for "overrides dropped"; the kind is {@code policy} or {@code breaker}. What arrives is
 * data from outside: {@link #parse} answers {@code null} for anything malformed.
 * @param values the keys set, or {@code null} when the overrides were dropped
 */
record TuningMessage(String fleet, String instance, String kind, String name, @Nullable Map<String, String> values) {

	private static final String VERSION = "v1";

	private static final String DROPPED = "-";

	private static final int MAX_LENGTH = 16_384;

	String format() {
		return String.join("|", VERSION, this.fleet, this.instance, this.kind, this.name, encode(this.values));
	}

	static @Nullable TuningMessage parse(String text) {
		if (text.length() > MAX_LENGTH) {
			return null;
		}
		String[] parts = text.split("\\|", 6);
		if (parts.length != 6 || !VERSION.equals(parts[0]) || parts[1].isEmpty() || parts[2].isEmpty()
				|| parts[4].isEmpty()) {
			return null;
		}
		Map<String, String> values;
		try {
			values = decode(parts[5]);
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
		boolean policy = RetryTuning.Relay.POLICY.equals(parts[3]);
		boolean breaker = RetryTuning.Relay.BREAKER.equals(parts[3]);
		if (!policy && !breaker) {
			return null;
		}
		return new TuningMessage(parts[1], parts[2], parts[3], parts[4], values);
	}

	private static String encode(@Nullable Map<String, String> values) {
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
	private static @Nullable Map<String, String> decode(String text) {
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
