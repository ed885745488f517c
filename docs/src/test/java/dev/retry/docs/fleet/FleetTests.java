package dev.retry.docs.fleet;

import dev.retry.autoconfigure.RetryAutoConfiguration;
import dev.retry.autoconfigure.fleet.RedisFleet;
import dev.retry.autoconfigure.fleet.RetryFleetAutoConfiguration;
import dev.retry.docs.Yaml;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration of docs/fleet.md: it starts (with no Redis answering: the fleet joins when it
 * does), and shares the breakers not of scope local.
 */
class FleetTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, RetryAutoConfiguration.class,
				RetryFleetAutoConfiguration.class))
		.withInitializer(Yaml.file("fleet/application.yml"))
		// Nothing listens there: the application starts all the same.
		.withPropertyValues("spring.application.name=storefront", "spring.data.redis.host=127.0.0.1",
				"spring.data.redis.port=1");

	@Test
	void breakersNotOfScopeLocalAreSharedWithTheFleet() {
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed();
			RedisFleet fleet = context.getBean(RedisFleet.class);
			assertThat(fleet.getName()).isEqualTo("storefront");
			assertThat(fleet.getSharedBreakers()).contains("inventory").doesNotContain("local-cache");
		});
	}

}
