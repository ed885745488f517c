package dev.retry.autoconfigure.actuate;

import dev.retry.autoconfigure.RetryAutoConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

class RetryActuatorAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class, RetryActuatorAutoConfiguration.class))
		.withPropertyValues("retry.circuit-breakers.inventory.failure-threshold=3");

	@Test
	void exposedEndpointsAndTheHealthContributorAreCreated() {
		this.runner.withPropertyValues("management.endpoints.web.exposure.include=retries,circuitbreakers")
			.run((context) -> assertThat(context).hasSingleBean(RetriesEndpoint.class)
				.hasSingleBean(CircuitBreakersEndpoint.class)
				.hasSingleBean(RetryActivity.class)
				.hasBean("circuitBreakersHealthIndicator"));
	}

	@Test
	void endpointsNotExposedAreNotCreated() {
		this.runner.withPropertyValues("management.endpoints.web.exposure.include=health")
			.run((context) -> assertThat(context).doesNotHaveBean(RetriesEndpoint.class)
				.doesNotHaveBean(RetryActivity.class)
				.doesNotHaveBean(CircuitBreakersEndpoint.class));
	}

	@Test
	void healthContributorCanBeTurnedOff() {
		this.runner.withPropertyValues("management.health.circuitbreakers.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean("circuitBreakersHealthIndicator"));
	}

	@Test
	void backsOffWithoutActuator() {
		this.runner.withClassLoader(new FilteredClassLoader(Endpoint.class, HealthIndicator.class))
			.withPropertyValues("management.endpoints.web.exposure.include=*")
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(RetriesEndpoint.class)
				.doesNotHaveBean("circuitBreakersHealthIndicator"));
	}

	@Test
	void backsOffWhenRetryIsDisabled() {
		this.runner.withPropertyValues("retry.enabled=false", "management.endpoints.web.exposure.include=*")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(RetriesEndpoint.class));
	}

}
