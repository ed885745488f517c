package dev.retry.autoconfigure.cloud;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.cloud.gateway.config.conditional.ConditionalOnEnabledFilter;
import org.springframework.cloud.gateway.filter.factory.FallbackHeadersGatewayFilterFactory;
import org.springframework.cloud.gateway.filter.factory.SpringCloudCircuitBreakerFilterFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.web.reactive.DispatcherHandler;

/**
 * Spring Cloud Gateway's {@code CircuitBreaker} and {@code FallbackHeaders} route filters on our
 * breakers, when Gateway (WebFlux) is on the class path and our reactive factory is in use:
 * Gateway itself registers them only beside Resilience4j's.
 */
@AutoConfiguration(after = RetrySpringCloudAutoConfiguration.class)
@ConditionalOnClass(name = { "org.springframework.cloud.gateway.filter.factory.SpringCloudCircuitBreakerFilterFactory",
		"org.springframework.web.reactive.DispatcherHandler" })
@ConditionalOnBooleanProperty(name = "spring.cloud.gateway.server.webflux.enabled", matchIfMissing = true)
@ConditionalOnBean(RetryReactiveCircuitBreakerFactory.class)
public final class RetryGatewayAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(SpringCloudCircuitBreakerFilterFactory.class)
	@ConditionalOnEnabledFilter
	RetryGatewayCircuitBreakerFilterFactory retryGatewayCircuitBreakerFilterFactory(
			RetryReactiveCircuitBreakerFactory factory, ObjectProvider<DispatcherHandler> dispatcherHandler) {
		return new RetryGatewayCircuitBreakerFilterFactory(factory, dispatcherHandler);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnEnabledFilter
	FallbackHeadersGatewayFilterFactory fallbackHeadersGatewayFilterFactory() {
		return new FallbackHeadersGatewayFilterFactory();
	}

}
