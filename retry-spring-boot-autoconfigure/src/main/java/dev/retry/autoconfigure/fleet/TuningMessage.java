package dev.retry.autoconfigure.fleet;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.retry.autoconfigure.config.RetryTuning;
import org.jspecify.annotations.Nullable;

/**
 * The fleet's runtime overrides of one policy or breaker, as of the fleet's {@code version} of
 * them (a later change has a greater version): every key the fleet has set, merged, or "dropped".
 * It travels on the tuning channel as {@code v2|fleet|instance|version|kind|name|key=value&...}
 * ({@code -} for dropped overrides; instance, name, keys and values URL-encoded) and is kept in the
 * fleet's tuning hash as {@code version|key=value&...}. What arrives is data from outside:
 * {@link #parse} answers {@code null} for anything malformed.
 * @param kind {@link RetryTuning.Relay#POLICY} or {@link RetryTuning.Relay#BREAKER}
 * @param values the keys set, or {@code null} when the overrides were dropped
 */
record TuningMessage(String fleet, String instance, long version, String kind, String name,
		@Nullable Map<String, String> values) {

	private static final String DROPPED = "-";

	private static final int MAX_LENGTH = 16_384;

	/** What the tuning script puts before the version when it publishes a change: {@code v2|fleet|instance|}. */
	static String prefix(String fleet, String instance) {
		return BreakerMessage.VERSION + "|" + fleet + "|" + WireText.encode(instance) + "|";
	}

	/** The hash field of a policy's or breaker's overrides. */
	static String field(String kind, String name) {
		return kind + ":" + WireText.encode(name);
	}

	static @Nullable TuningMessage parse(String text) {
		if (text.length() > MAX_LENGTH) {
			return null;
		}
		String[] parts = text.split("\\|", -1);
		if (parts.length != 7 || !BreakerMessage.VERSION.equals(parts[0]) || parts[1].isEmpty()) {
			return null;
		}
		TuningMessage entry = entry(parts[1], parts[4], parts[5], parts[3] + "|" + parts[6]);
		if (entry == null) {
			return null;
		}
		try {
			String instance = WireText.decode(parts[2]);
			return instance.isEmpty() ? null : new TuningMessage(entry.fleet, instance, entry.version, entry.kind,
					entry.name, entry.values);
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	/**
	 * An entry of the tuning hash: its field ({@code kind:name}) and value ({@code version|values}),
	 * or {@code null} when it is malformed.
	 */
	static @Nullable TuningMessage ofEntry(String fleet, String field, String value) {
		int colon = field.indexOf(':');
		return (colon > 0) ? entry(fleet, field.substring(0, colon), field.substring(colon + 1), value) : null;
	}

	private static @Nullable TuningMessage entry(String fleet, String kind, String encodedName, String versioned) {
		if (!RetryTuning.Relay.POLICY.equals(kind) && !RetryTuning.Relay.BREAKER.equals(kind)) {
			return null;
		}
		int bar = versioned.indexOf('|');
		long version = (bar > 0) ? WireText.number(versioned.substring(0, bar)) : -1;
		if (version <= 0) {
			return null;
		}
		try {
			String name = WireText.decode(encodedName);
			Map<String, String> values = decode(versioned.substring(bar + 1));
			return name.isEmpty() ? null : new TuningMessage(fleet, "", version, kind, name, values);
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	/** The keys set as the tuning script takes them: {@code key=value&...}, or {@code -} for "dropped". */
	static String encode(@Nullable Map<String, String> values) {
		if (values == null) {
			return DROPPED;
		}
		StringBuilder text = new StringBuilder();
		values.forEach((key, value) -> {
			if (!text.isEmpty()) {
				text.append('&');
			}
			text.append(WireText.encode(key)).append('=').append(WireText.encode(value));
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
		for (String pair : text.split("&", -1)) {
			int equals = pair.indexOf('=');
			if (equals <= 0) {
				throw new IllegalArgumentException("not key=value: " + pair);
			}
			values.put(WireText.decode(pair.substring(0, equals)), WireText.decode(pair.substring(equals + 1)));
		}
		return values;
	}

}
