package dev.retry.autoconfigure.config;

import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.OriginLookup;
import org.springframework.boot.origin.SystemEnvironmentOrigin;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * Presents the environment variables {@code MAX_RETRY_ATTEMPTS}, {@code RETRY_BASE_DELAY},
 * {@code RETRY_MAX_DELAY} and {@code RETRY_EXPONENTIAL_BACKOFF} as the {@code retry.defaults.*}
 * keys they mirror. It sits right after the system environment, so these variables rank with the
 * environment (above {@code application.yml}), and below Spring's relaxed names for the same keys
 * ({@code RETRY_DEFAULTS_MAXATTEMPTS}). Values are read from the system environment at each look-up.
 */
public final class MirroredEnvironmentPropertySource extends EnumerablePropertySource<Map<String, String>>
		implements OriginLookup<String> {

	/** Name of this property source. */
	public static final String NAME = "retryMirroredEnvironment";

	/** Property mirrored, by environment variable. */
	public static final Map<String, String> MIRRORED;

	static {
		Map<String, String> mirrored = new LinkedHashMap<>();
		mirrored.put("MAX_RETRY_ATTEMPTS", "retry.defaults.max-attempts");
		mirrored.put("RETRY_BASE_DELAY", "retry.defaults.base-delay");
		mirrored.put("RETRY_MAX_DELAY", "retry.defaults.max-delay");
		mirrored.put("RETRY_EXPONENTIAL_BACKOFF", "retry.defaults.exponential-backoff");
		MIRRORED = Map.copyOf(mirrored);
	}

	private final ConfigurableEnvironment environment;

	private MirroredEnvironmentPropertySource(ConfigurableEnvironment environment, Map<String, String> byProperty) {
		super(NAME, byProperty);
		this.environment = environment;
	}

	/**
	 * Adds the mirror to an environment, after its system environment source; does nothing when it
	 * is there already.
	 */
	public static void attach(ConfigurableEnvironment environment) {
		MutablePropertySources sources = environment.getPropertySources();
		if (sources.contains(NAME)) {
			return;
		}
		Map<String, String> byProperty = new LinkedHashMap<>();
		MIRRORED.forEach((variable, property) -> byProperty.put(property, variable));
		MirroredEnvironmentPropertySource mirror = new MirroredEnvironmentPropertySource(environment, byProperty);
		String systemEnvironment = StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME;
		if (sources.contains(systemEnvironment)) {
			sources.addAfter(systemEnvironment, mirror);
		}
		else {
			sources.addLast(mirror);
		}
	}

	@Override
	public String[] getPropertyNames() {
		return getSource().entrySet()
			.stream()
			.filter((entry) -> variable(entry.getValue()) != null)
			.map(Map.Entry::getKey)
			.toArray(String[]::new);
	}

	@Override
	public @Nullable Object getProperty(String name) {
		String variable = getSource().get(name);
		return (variable != null) ? variable(variable) : null;
	}

	@Override
	public @Nullable Origin getOrigin(String name) {
		String variable = getSource().get(name);
		return (variable != null && variable(variable) != null) ? new SystemEnvironmentOrigin(variable) : null;
	}

	private @Nullable Object variable(String variable) {
		PropertySource<?> system = this.environment.getPropertySources()
			.get(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
		if (system != null && system.getSource() instanceof Map<?, ?> values) {
			return values.get(variable);
		}
		return (system != null) ? system.getProperty(variable) : null;
	}

}
