package dev.retry.sample;

import java.time.Duration;

import dev.retry.autoconfigure.RetryAutoConfiguration;
import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.autoconfigure.config.PolicyRegistry;
import dev.retry.autoconfigure.diagnostics.RetryConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * The sample's own configuration, {@code application.yml} and the {@code fleet} profile's file over
 * it, passes the starter's start-up checks: every property under {@code retry.} binds to a key and
 * every value is valid. A mistyped key in either file fails this test, naming it.
 */
class SampleConfigurationTests {

	@ParameterizedTest
	@ValueSource(strings = { "default", "fleet" })
	void theSamplesConfigurationPassesTheStartersChecks(String profile) {
		try (ConfigurableApplicationContext context = start(profile)) {
			PolicyRegistry policies = context.getBean(PolicyRegistry.class);

			assertThat(policies.names()).contains("default", "network", "pricing", "download", "fast");
			assertThat(policies.find("fast").policy().getMaxAttempts()).as("the preset as built in, as the file says")
				.isEqualTo(2);
			assertThat(policies.find("fast").policy().getBaseDelay()).isEqualTo(Duration.ofMillis(500));
			assertThat(policies.find("network").policy().getBaseDelay()).isEqualTo(Duration.ofMillis(500));
			assertThat(context.getBean(CircuitBreakerRegistry.class).names()).containsExactly("inventory");
			assertThat(context.getEnvironment().getProperty("management.health.redis.enabled", Boolean.class))
				.as("Spring Boot's Redis health check would report DOWN without Redis; the fleet's link is in "
						+ "circuitBreakers' details instead")
				.isFalse();
		}
	}

	@Test
	void aMistypedKeyBesideTheSamplesOwnStopsStartUpNamingIt() {
		assertThatException().isThrownBy(() -> start("default", "--retry.policies.network.max-attemps=4"))
			.havingRootCause()
			.isInstanceOf(RetryConfigurationException.class)
			.withMessageContaining("Property: retry.policies.network.max-attemps")
			.withMessageContaining("did you mean retry.policies.network.max-attempts?");
	}

	private static ConfigurableApplicationContext start(String profile, String... arguments) {
		return new SpringApplicationBuilder(StarterOnly.class).web(WebApplicationType.NONE)
			.profiles(profile)
			.run(arguments);
	}

	/** The starter's checks alone, on the sample's configuration files. */
	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration(RetryAutoConfiguration.class)
	static class StarterOnly {

	}

}
