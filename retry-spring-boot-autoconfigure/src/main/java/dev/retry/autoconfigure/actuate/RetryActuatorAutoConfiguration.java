package dev.retry.autoconfigure.actuate;

import dev.retry.autoconfigure.RetryAutoConfiguration;
import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.autoconfigure.config.MethodRegistry;
import dev.retry.autoconfigure.config.PolicyRegistry;
import dev.retry.autoconfigure.config.RetryTuning;
import dev.retry.autoconfigure.config.RetryProperties;
import dev.retry.autoconfigure.fleet.FleetView;
import dev.retry.time.Ticker;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.actuate.endpoint.invoke.OperationInvokerAdvisor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code retries} and {@code circuitbreakers} endpoints and the {@code circuitBreakers} health
 * contributor. Active with Spring Boot Actuator on the classpath; each endpoint only when exposed.
 */
@AutoConfiguration(after = RetryAutoConfiguration.class)
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBean(PolicyRegistry.class)
public final class RetryActuatorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint(RetriesEndpoint.class)
	RetryActivity retryActivity(Ticker ticker) {
		return new RetryActivity(ticker);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint
	RetriesEndpoint retriesEndpoint(PolicyRegistry policies, MethodRegistry methods, RetryActivity activity,
			RetryTuning tuning) {
		return new RetriesEndpoint(policies, methods, activity, tuning);
	}

	/** Hands the whole JSON body of a write to {@code retries} and {@code circuitbreakers}: its keys are policy keys. */
	@Bean
	static OperationInvokerAdvisor retryWholeBodyInvokerAdvisor() {
		return WholeBody::advise;
	}

	/** A nested {@code configuration} object or a list, which Spring MVC's endpoint mapping cannot read, flattened for it. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
	@ConditionalOnClass(name = "org.springframework.web.servlet.mvc.method.annotation.RequestBodyAdvice")
	static class ServletBodyConfiguration {

		@Bean
		NestedBodyAdvice retryNestedBodyAdvice() {
			return new NestedBodyAdvice();
		}

	}

	/** The same for WebFlux, which has no body advice: a filter in front of our endpoints' writes. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
	@ConditionalOnClass(name = "org.springframework.web.server.WebFilter")
	static class ReactiveBodyConfiguration {

		@Bean
		NestedBodyWebFilter retryNestedBodyWebFilter(ObjectProvider<PathMappedEndpoints> endpoints) {
			return new NestedBodyWebFilter(endpoints);
		}

	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint(RetryEventsEndpoint.class)
	RetryEvents retryEvents(RetryProperties properties, Ticker ticker) {
		return new RetryEvents(properties.getEvents().getCapacity(), ticker);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint
	RetryEventsEndpoint retryEventsEndpoint(RetryEvents events) {
		return new RetryEventsEndpoint(events);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint
	CircuitBreakersEndpoint circuitBreakersEndpoint(CircuitBreakerRegistry breakers, RetryTuning tuning,
			ObjectProvider<FleetView> fleet) {
		return new CircuitBreakersEndpoint(breakers, tuning, fleet.getIfUnique());
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
	@ConditionalOnEnabledHealthIndicator("circuitbreakers")
	static class HealthConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "circuitBreakersHealthIndicator")
		CircuitBreakersHealthIndicator circuitBreakersHealthIndicator(CircuitBreakerRegistry breakers,
				RetryProperties properties, ObjectProvider<FleetView> fleet) {
			return new CircuitBreakersHealthIndicator(breakers, properties.getHealth().isDownWhenOpen(),
					fleet.getIfUnique());
		}

	}

}
