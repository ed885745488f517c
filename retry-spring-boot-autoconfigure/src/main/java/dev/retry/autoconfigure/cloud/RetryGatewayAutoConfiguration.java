package dev.retry.autoconfigure.cloud;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.cloud.client.circuitbreaker.ReactiveCircuitBreakerFactory;
import org.springframework.cloud.gateway.config.conditional.ConditionalOnEnabledFilter;
import org.springframework.cloud.gateway.filter.factory.FallbackHeadersGatewayFilterFactory;
import org.springframework.cloud.gateway.filter.factory.SpringCloudCircuitBreakerFilterFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.web.reactive.DispatcherHandler;

/**
 * Spring Cloud Gateway's {@code CircuitBreaker} and {@code FallbackHeaders} route filters on our
 * breakers, when Gateway (WebFlux) is on the class path and our reactive factory is in use (the
 * pass-through one too, with {@code retry.enabled=false}): Gateway itself registers them only
 * beside Resilience4j's.
 */
@AutoConfiguration(after = RetrySpringCloudAutoConfiguration.class)
@ConditionalOnClass(name = { "org.springframework.cloud.gateway.filter.factory.SpringCloudCircuitBreakerFilterFactory",
		"org.springframework.web.reactive.DispatcherHandler" })
@ConditionalOnBooleanProperty(name = "spring.cloud.gateway.server.webflux.enabled", matchIfMissing = true)
@Conditional(RetryGatewayAutoConfiguration.OurReactiveFactory.class)
public final class RetryGatewayAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(SpringCloudCircuitBreakerFilterFactory.class)
	@ConditionalOnEnabledFilter
	RetryGatewayCircuitBreakerFilterFactory retryGatewayCircuitBreakerFilterFactory(
			ReactiveCircuitBreakerFactory<?, ?> factory, ObjectProvider<DispatcherHandler> dispatcherHandler) {
		return new RetryGatewayCircuitBreakerFilterFactory(factory, dispatcherHandler);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnEnabledFilter
	FallbackHeadersGatewayFilterFactory fallbackHeadersGatewayFilterFactory() {
		return new FallbackHeadersGatewayFilterFactory();
	}

	/** The application's reactive factory is one of ours: on our breakers, or passing through with the library off. */
	static final class OurReactiveFactory extends AnyNestedCondition {

		OurReactiveFactory() {
			super(ConfigurationPhase.REGISTER_BEAN);
		}

		@ConditionalOnBean(RetryReactiveCircuitBreakerFactory.class)
		static final class OnBreakers {

		}

		@ConditionalOnBean(PassThroughReactiveCircuitBreakerFactory.class)
		static final class PassingThrough {

		}

	}

}
