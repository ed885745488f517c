package dev.retry.autoconfigure.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import dev.retry.backoff.Jitter;

/**
 * The built-in presets: our opinion, used only where the user set nothing. Each fills only the keys
 * listed, and only where neither {@code retry.policies.<preset>} nor a {@code retry.defaults} key
 * the user set says otherwise; the rest come from the library defaults.
 */
final class Presets {

	private static final Map<String, Map<String, Object>> PRESETS = new LinkedHashMap<>();

	static {
		PRESETS.put("network", preset(3, Duration.ofSeconds(1), Duration.ofSeconds(10)));
		PRESETS.put("fast", preset(2, Duration.ofMillis(500), Duration.ofSeconds(2)));
		PRESETS.put("aggressive", preset(6, Duration.ofMillis(50), Duration.ofSeconds(5)));
		PRESETS.put("gentle", preset(3, Duration.ofMillis(500), Duration.ofSeconds(3)));
	}

	private Presets() {
	}

	static Set<String> names() {
		return PRESETS.keySet();
	}

	/** The preset's value for a key ({@code max-attempts}...), or {@code null} when it does not set it. */
	static Object value(String preset, String key) {
		Map<String, Object> values = PRESETS.get(preset);
		return (values != null) ? values.get(key) : null;
	}

	private static Map<String, Object> preset(int maxAttempts, Duration baseDelay, Duration maxDelay) {
		return Map.of("max-attempts", maxAttempts, "base-delay", baseDelay, "max-delay", maxDelay, "multiplier", 2.0,
				"jitter", Jitter.PROPORTIONAL, "jitter-factor", 0.3);
	}

}
