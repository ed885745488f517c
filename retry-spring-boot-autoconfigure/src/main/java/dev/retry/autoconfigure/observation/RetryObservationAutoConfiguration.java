package dev.retry.autoconfigure.observation;

import java.lang.reflect.Method;

import dev.retry.event.CallObserver;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.RootBeanDefinition;
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
 * observations, while each retry still puts its fields in the MDC. A registry the application made
 * itself (its own bean, {@code ObservationRegistry.NOOP} say) is used as it is.
 */
@AutoConfiguration(afterName = { "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration",
		"org.springframework.boot.micrometer.tracing.autoconfigure.MicrometerTracingAutoConfiguration" })
@ConditionalOnClass(ObservationRegistry.class)
@ConditionalOnBooleanProperty(name = "retry.observations.enabled", matchIfMissing = true)
public final class RetryObservationAutoConfiguration {

	/** Where Spring Boot makes the registry it configures for an application that has none of its own. */
	private static final String SPRING_BOOTS_REGISTRY = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration";

	@Bean
	@ConditionalOnMissingBean(CallObserver.class)
	ObservationCallObserver retryCallObserver(ObjectProvider<ObservationRegistry> registries,
			ConfigurableListableBeanFactory beanFactory) {
		ObservationRegistry application = registries.getIfUnique();
		if (application == null) {
			// No registry: nothing is observed; retries still get their MDC fields.
			return new ObservationCallObserver(ObservationRegistry.NOOP);
		}
		if (!madeBySpringBoot(application, beanFactory)) {
			// The application made its registry (ObservationRegistry.NOOP, one with handlers of its own):
			// used as it is, whatever Spring Boot added to it.
			return new ObservationCallObserver(application);
		}
		RetryObservationRegistry registry = new RetryObservationRegistry(application);
		// Spring Boot configures every ObservationRegistry the context initializes: this one as the
		// application's, with every handler, predicate, convention, filter and customizer it has.
		beanFactory.initializeBean(registry, "retryObservationRegistry");
		return new ObservationCallObserver(registry, !registry.isNoop(), registry.tracesOnly());
	}

	/** Whether {@code registry} is the one Spring Boot's observation auto-configuration made. */
	static boolean madeBySpringBoot(ObservationRegistry registry, ConfigurableListableBeanFactory beanFactory) {
		for (String name : beanFactory.getBeanNamesForType(ObservationRegistry.class, true, false)) {
			if (beanFactory.getBean(name) != registry) {
				continue;
			}
			BeanDefinition definition = beanFactory.getMergedBeanDefinition(name);
			Method factory = (definition instanceof RootBeanDefinition root) ? root.getResolvedFactoryMethod() : null;
			return factory != null && factory.getDeclaringClass().getName().equals(SPRING_BOOTS_REGISTRY);
		}
		return false;
	}

}
