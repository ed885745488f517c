package dev.retry.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.retry.autoconfigure.config.MirroredEnvironmentPropertySource;

import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * Gives a test context environment variables and an "application.yml" of its own, ranked as
 * Spring Boot ranks them (variables above files), with the mirrored variables attached as the
 * starter's environment post-processor attaches them in an application.
 */
final class TestEnvironment implements ApplicationContextInitializer<ConfigurableApplicationContext> {

	private final Map<String, Object> variables = new LinkedHashMap<>();

	private final Map<String, Object> yaml = new LinkedHashMap<>();

	static TestEnvironment create() {
		return new TestEnvironment();
	}

	TestEnvironment variable(String name, String value) {
		this.variables.put(name, value);
		return this;
	}

	TestEnvironment yaml(String property, String value) {
		this.yaml.put(property, value);
		return this;
	}

	@Override
	public void initialize(ConfigurableApplicationContext context) {
		MutablePropertySources sources = context.getEnvironment().getPropertySources();
		sources.replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, new SystemEnvironmentPropertySource(
				StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, this.variables));
		sources.addLast(new MapPropertySource("Config resource 'class path resource [application.yml]'", this.yaml));
		MirroredEnvironmentPropertySource.attach(context.getEnvironment());
	}

}
