package dev.retry.autoconfigure.config;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.ConfigurationPropertyState;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;

/** Where properties are set, as Spring's binder sees them (relaxed names and source order included). */
final class PropertyOrigins {

	private final Environment environment;

	PropertyOrigins(Environment environment) {
		this.environment = environment;
	}

	/**
	 * Where the strongest source sets a property (or, for a list or group, one of its elements).
	 * @return a file and line, an environment variable, a source name; {@code null} when unset
	 */
	@Nullable String originOf(String property) {
		ConfigurationPropertyName name = ConfigurationPropertyName.of(property);
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(this.environment)) {
			ConfigurationProperty found = source.getConfigurationProperty(name);
			if (found != null) {
				return (found.getOrigin() != null) ? found.getOrigin().toString() : describe(source);
			}
			if (source.containsDescendantOf(name) == ConfigurationPropertyState.PRESENT) {
				return describe(source);
			}
		}
		return null;
	}

	private static String describe(ConfigurationPropertySource source) {
		Object underlying = source.getUnderlyingSource();
		if (underlying instanceof PropertySource<?> propertySource) {
			return "property source '" + propertySource.getName() + "'";
		}
		return String.valueOf(underlying);
	}

}
