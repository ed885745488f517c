package dev.retry.autoconfigure.observation;

import dev.retry.event.CallObserver;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.AutowireCapableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Calls and attempts of annotated methods as Micrometer Observations, where something records them,
 * and the retry's fields in the logging MDC, unless {@code retry.observations.enabled} is false.
 *
 * <p>The observations go to the application's observation handlers as Spring Boot configures them,
 * without its meter handlers ({@link RetryObservationRegistry}): with a tracer, each call is a span
 * and each attempt its child; with metrics alone, nothing is observed and a call pays nothing for
 * observations, while each retry still puts its fields in the MDC. A registry that Spring Boot did
 * not configure is used as it is.
 */
@AutoConfiguration(afterName = { "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration",
		"org.springframework.boot.micrometer.tracing.autoconfigure.MicrometerTracingAutoConfiguration" })
@ConditionalOnClass(ObservationRegistry.class)
@ConditionalOnBooleanProperty(name = "retry.observations.enabled", matchIfMissing = true)
public final class RetryObservationAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(CallObserver.class)
	ObservationCallObserver retryCallObserver(ObjectProvider<ObservationRegistry> registries,
			AutowireCapableBeanFactory beanFactory) {
		ObservationRegistry application = registries.getIfUnique();
		if (application == null) {
			// No registry: nothing is observed; retries still get their MDC fields.
			return new ObservationCallObserver(ObservationRegistry.NOOP);
		}
		RetryObservationRegistry registry = new RetryObservationRegistry(application);
		// Spring Boot configures every ObservationRegistry the context initializes: this one as the
		// application's, with every handler, predicate, convention, filter and customizer it has.
		beanFactory.initializeBean(registry, "retryObservationRegistry");
		if (!registry.isConfigured()) {
			// Not configured by Spring Boot: the application made its registry, used as it is.
			return new ObservationCallObserver(application);
		}
		return new ObservationCallObserver(registry, !registry.isNoop(), registry.tracesOnly());
	}

}
