package dev.retry.autoconfigure.cloud;

import dev.retry.autoconfigure.RetryAutoConfiguration;
import dev.retry.autoconfigure.config.CircuitBreakerRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.cloud.client.circuitbreaker.CircuitBreakerFactory;
import org.springframework.cloud.client.circuitbreaker.ReactiveCircuitBreakerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Spring Cloud's {@link CircuitBreakerFactory}, and with Reactor its
 * {@link ReactiveCircuitBreakerFactory}, on our breakers, when spring-cloud-commons is on the
 * class path; each backs off when the application has a factory of its own (Resilience4j's, say,
 * whose auto-configuration goes first). Before OpenFeign's auto-configuration, which wraps clients
 * in circuit breakers only when it finds a factory already defined. With {@code retry.enabled=false}
 * the factories are still there, their breakers passing every call through, so that switching the
 * library off never stops an application whose Feign clients or Gateway routes use them.
 */
@AutoConfiguration(after = RetryAutoConfiguration.class,
		afterName = { "org.springframework.cloud.circuitbreaker.resilience4j.Resilience4JAutoConfiguration",
				"org.springframework.cloud.circuitbreaker.resilience4j.ReactiveResilience4JAutoConfiguration",
				"org.springframework.cloud.circuitbreaker.springretry.SpringRetryAutoConfiguration",
				"org.springframework.cloud.circuitbreaker.retry.FrameworkRetryAutoConfiguration" },
		beforeName = "org.springframework.cloud.openfeign.FeignAutoConfiguration")
@ConditionalOnClass(CircuitBreakerFactory.class)
public final class RetrySpringCloudAutoConfiguration {

	/** The library on: our breakers. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBooleanProperty(name = "retry.enabled", matchIfMissing = true)
	@ConditionalOnBean(CircuitBreakerRegistry.class)
	static class BreakersConfiguration {

		@Bean
		@ConditionalOnMissingBean(CircuitBreakerFactory.class)
		RetryCircuitBreakerFactory retryCircuitBreakerFactory(CircuitBreakerRegistry breakers) {
			return new RetryCircuitBreakerFactory(breakers);
		}

		@Configuration(proxyBeanMethods = false)
		@ConditionalOnClass(name = "reactor.core.publisher.Mono")
		static class ReactiveConfiguration {

			@Bean
			@ConditionalOnMissingBean(ReactiveCircuitBreakerFactory.class)
			RetryReactiveCircuitBreakerFactory retryReactiveCircuitBreakerFactory(CircuitBreakerRegistry breakers) {
				return new RetryReactiveCircuitBreakerFactory(breakers);
			}

		}

	}

	/** The library off ({@code retry.enabled=false}): each call made once, as the annotations then do. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBooleanProperty(name = "retry.enabled", havingValue = false)
	static class PassThroughConfiguration {

		@Bean
		@ConditionalOnMissingBean(CircuitBreakerFactory.class)
		PassThroughCircuitBreakerFactory retryCircuitBreakerFactory() {
			return new PassThroughCircuitBreakerFactory();
		}

		@Configuration(proxyBeanMethods = false)
		@ConditionalOnClass(name = "reactor.core.publisher.Mono")
		static class ReactiveConfiguration {

			@Bean
			@ConditionalOnMissingBean(ReactiveCircuitBreakerFactory.class)
			PassThroughReactiveCircuitBreakerFactory retryReactiveCircuitBreakerFactory() {
				return new PassThroughReactiveCircuitBreakerFactory();
			}

		}

	}

}
