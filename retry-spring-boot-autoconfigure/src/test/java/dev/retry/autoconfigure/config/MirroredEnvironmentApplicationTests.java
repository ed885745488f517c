package dev.retry.autoconfigure.config;

import java.time.Duration;
import java.util.Map;

import dev.retry.autoconfigure.RetryAutoConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The mirrored variables in a real application: the environment post-processor is registered and
 * ranks them with the environment, above application properties.
 */
class MirroredEnvironmentApplicationTests {

	@Test
	void mirroredVariablesReachRetryDefaultsInARunningApplication() {
		StandardEnvironment environment = new StandardEnvironment() {
			@Override
			public Map<String, Object> getSystemEnvironment() {
				return Map.of("MAX_RETRY_ATTEMPTS", "5", "RETRY_BASE_DELAY", "1.0", "RETRY_MAX_DELAY", "30s",
						"RETRY_EXPONENTIAL_BACKOFF", "false");
			}
		};
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(Application.class)
			.environment(environment)
			.web(WebApplicationType.NONE)
			.properties("retry.defaults.max-attempts=2", "retry.defaults.base-delay=9s")
			.run()) {
			EffectivePolicy defaults = context.getBean(PolicyRegistry.class).find("default");

			assertThat(defaults.policy().getMaxAttempts()).isEqualTo(5);
			assertThat(defaults.policy().getBaseDelay()).isEqualTo(Duration.ofSeconds(1));
			assertThat(defaults.policy().getMaxDelay()).isEqualTo(Duration.ofSeconds(30));
			assertThat(defaults.policy().isExponentialBackoff()).isFalse();
			assertThat(defaults.sources().get("max-attempts").origin()).contains("MAX_RETRY_ATTEMPTS");
			assertThat(context.getEnvironment().getProperty("retry.defaults.base-delay")).isEqualTo("1.0");
		}
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration(RetryAutoConfiguration.class)
	static class Application {

	}

}
