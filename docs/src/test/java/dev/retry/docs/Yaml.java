package dev.retry.docs;

import java.io.IOException;
import java.io.UncheckedIOException;

import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.ClassPathResource;

/** Puts a YAML file of the guide into a test context as Spring Boot would put an application.yml. */
public final class Yaml {

	private Yaml() {
	}

	public static ApplicationContextInitializer<ConfigurableApplicationContext> file(String path) {
		return (context) -> {
			try {
				new YamlPropertySourceLoader().load("Config resource 'class path resource [" + path + "]'",
						new ClassPathResource(path))
					.forEach(context.getEnvironment().getPropertySources()::addLast);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		};
	}

}
