package dev.retry.autoconfigure.observation;

import dev.retry.event.CallObserver;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Calls and attempts of annotated methods as Micrometer Observations, when the application has an
 * {@link ObservationRegistry} (any Spring Boot application with the actuator) and
 * {@code retry.observations.enabled} is not false. Without it, calls pay nothing for observations.
 */
@AutoConfiguration(afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@ConditionalOnClass(ObservationRegistry.class)
@ConditionalOnBooleanProperty(name = "retry.observations.enabled", matchIfMissing = true)
public final class RetryObservationAutoConfiguration {

	@Bean
	@ConditionalOnBean(ObservationRegistry.class)
	@ConditionalOnMissingBean(CallObserver.class)
	ObservationCallObserver retryCallObserver(ObservationRegistry registry) {
		return new ObservationCallObserver(registry);
	}

}
