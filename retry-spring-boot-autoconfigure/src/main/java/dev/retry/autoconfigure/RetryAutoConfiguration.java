package dev.retry.autoconfigure;

import java.time.Clock;

import dev.retry.autoconfigure.aop.RetryInterceptorFactory;
import dev.retry.autoconfigure.aop.RetryableBeanPostProcessor;
import dev.retry.autoconfigure.config.CircuitBreakerAssembler;
import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.autoconfigure.config.DecimalSecondsConverter;
import dev.retry.autoconfigure.config.MethodRegistry;
import dev.retry.autoconfigure.config.PolicyAssembler;
import dev.retry.autoconfigure.config.PolicyRegistry;
import dev.retry.autoconfigure.config.RetryProperties.SelfInvocation;
import dev.retry.autoconfigure.config.RetryProperties;
import dev.retry.autoconfigure.config.RetryTuning;
import dev.retry.autoconfigure.logging.CircuitBreakerLogListener;
import dev.retry.autoconfigure.logging.RetryLogListener;
import dev.retry.autoconfigure.web.SpringHttpStatusResolver;
import dev.retry.autoconfigure.web.SpringRetryAfterResolver;
import dev.retry.breaker.CircuitBreakerListener;
import dev.retry.classify.HttpStatusResolver;
import dev.retry.classify.RetryAfterResolver;
import dev.retry.event.CallObserver;
import dev.retry.event.RetryListener;
import dev.retry.execution.RetryRuntime;
import dev.retry.http.RetryableStatus;
import dev.retry.operations.Retries;
import dev.retry.time.DaemonScheduler;
import dev.retry.time.Scheduler;
import dev.retry.time.Sleeper;
import dev.retry.time.Ticker;
import org.aspectj.weaver.Advice;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.ConfigurationPropertiesBinding;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.cloud.context.environment.EnvironmentChangeEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;

/**
 * Retries {@link dev.retry.annotation.Retryable @Retryable} methods under the policies configured
 * under {@code retry}, and passes {@link dev.retry.annotation.CircuitBreaker @CircuitBreaker} methods
 * through the breakers of {@code retry.circuit-breakers}. Active when AOP is on the classpath and {@code retry.enabled} is not false.
 * Each service here can be replaced by declaring a bean of its type: a
 * {@link dev.retry.time.ManualClock} bean, for instance, replaces sleeping and time in tests.
 */
@AutoConfiguration
@ConditionalOnClass(Advice.class)
@ConditionalOnBooleanProperty(name = "retry.enabled", matchIfMissing = true)
@EnableConfigurationProperties(RetryProperties.class)
public final class RetryAutoConfiguration {

	@Bean
	@ConfigurationPropertiesBinding
	static DecimalSecondsConverter retryDecimalSecondsConverter() {
		return new DecimalSecondsConverter();
	}

	@Bean
	@ConditionalOnMissingBean
	PolicyRegistry retryPolicyRegistry(RetryProperties properties, Environment environment,
			ResourceLoader resourceLoader) {
		return new PolicyAssembler(properties, environment, resourceLoader.getClassLoader()).assemble();
	}

	/**
	 * Sleeps synchronous calls between attempts; with the default scheduler, the sleep ends when the
	 * context closes, so that no call keeps waiting for a retry through a shutdown.
	 */
	@Bean
	@ConditionalOnMissingBean
	Sleeper retrySleeper(Scheduler scheduler) {
		return (scheduler instanceof DaemonScheduler daemon) ? daemon.sleeper() : Sleeper.THREAD_SLEEP;
	}

	@Bean
	@ConditionalOnMissingBean
	Ticker retryTicker() {
		return Ticker.SYSTEM;
	}

	/**
	 * Starts the next attempt of asynchronous and reactive calls after their wait: a few daemon
	 * threads serve every waiting call, and stop with the context.
	 */
	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean(Scheduler.class)
	DaemonScheduler retryScheduler() {
		return new DaemonScheduler();
	}

	@Bean
	@ConditionalOnMissingBean
	HttpStatusResolver retryHttpStatusResolver() {
		return new SpringHttpStatusResolver();
	}

	@Bean
	@ConditionalOnMissingBean
	@Order(Ordered.LOWEST_PRECEDENCE)
	SpringRetryAfterResolver retrySpringRetryAfterResolver() {
		return new SpringRetryAfterResolver();
	}

	@Bean
	@ConditionalOnMissingBean
	RetryLogListener retryLogListener() {
		return new RetryLogListener();
	}

	@Bean
	@ConditionalOnMissingBean
	CircuitBreakerLogListener circuitBreakerLogListener() {
		return new CircuitBreakerLogListener();
	}

	@Bean
	@ConditionalOnMissingBean
	CircuitBreakerRegistry retryCircuitBreakerRegistry(RetryProperties properties, Environment environment,
			ResourceLoader resourceLoader, Ticker ticker, HttpStatusResolver statusResolver,
			ObjectProvider<CircuitBreakerListener> listeners) {
		return new CircuitBreakerAssembler(properties, environment, resourceLoader.getClassLoader())
			.assemble(ticker, statusResolver, listeners.orderedStream().toList());
	}

	@Bean
	@ConditionalOnMissingBean
	RetryRuntime retryRuntime(Sleeper sleeper, Ticker ticker, Scheduler scheduler,
			ObjectProvider<RetryListener> listeners, HttpStatusResolver statusResolver,
			ObjectProvider<RetryAfterResolver> retryAfterResolvers, ObjectProvider<CallObserver> observers) {
		// Timeouts and hedges need real time even when a test replaces the scheduler with a ManualClock.
		Scheduler watchdog = (scheduler instanceof DaemonScheduler) ? scheduler : RetryRuntime.sharedScheduler();
		return RetryRuntime.defaults()
			.withScheduler(scheduler)
			.withWatchdog(watchdog)
			.withRetryAfter(RetryAfterResolver.firstOf(retryAfterResolvers.orderedStream().toList()))
			.withSleeper(sleeper)
			.withTicker(ticker)
			.withListeners(listeners.orderedStream().toList())
			.withStatusResolver(statusResolver)
			.withObserver(observers.getIfUnique());
	}

	@Bean
	@ConditionalOnMissingBean
	MethodRegistry retryMethodRegistry(Ticker ticker) {
		return new MethodRegistry(ticker);
	}

	@Bean
	@ConditionalOnMissingBean
	RetryInterceptorFactory retryInterceptorFactory(PolicyRegistry policies, CircuitBreakerRegistry breakers,
			MethodRegistry methods, RetryRuntime runtime, ResourceLoader resourceLoader, BeanFactory beanFactory) {
		return new RetryInterceptorFactory(policies, breakers, methods, runtime, resourceLoader.getClassLoader(),
				beanFactory);
	}

	/**
	 * Programmatic calls ({@code retries.policy("network").get(...)}) under the same policies and
	 * breakers, planned and re-tuned with the annotated methods.
	 */
	@Bean
	@ConditionalOnMissingBean
	Retries retries(PolicyRegistry policies, CircuitBreakerRegistry breakers, RetryInterceptorFactory factory) {
		return new Retries(policies, breakers, factory);
	}

	/** Re-tunes policies and breakers at runtime: actuator overrides, Environment changes. */
	@Bean
	@ConditionalOnMissingBean
	RetryTuning retryTuning(Environment environment, ResourceLoader resourceLoader, PolicyRegistry policies,
			CircuitBreakerRegistry breakers, RetryInterceptorFactory factory) {
		return new RetryTuning(environment, resourceLoader.getClassLoader(), policies, breakers, factory::replan,
				Clock.systemUTC());
	}

	/**
	 * With Spring Cloud: when an {@code EnvironmentChangeEvent} names a key under {@code retry.}
	 * (after {@code /actuator/refresh} or a configuration server push), policies and breakers are
	 * read again from the Environment.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "org.springframework.cloud.context.environment.EnvironmentChangeEvent")
	static class EnvironmentChangeConfiguration {

		@Bean
		ApplicationListener<EnvironmentChangeEvent> retryEnvironmentChangeListener(ObjectProvider<RetryTuning> tuning) {
			return (event) -> {
				if (event.getKeys().stream().anyMatch((key) -> key.startsWith("retry."))) {
					tuning.ifAvailable((retryTuning) -> retryTuning.reload("environment change"));
				}
			};
		}

	}

	/** Reads Retry-After of a 429 or 503 response returned (and rejected by RetryableStatus) rather than thrown. */
	@Bean
	@Order(Ordered.LOWEST_PRECEDENCE)
	RetryAfterResolver retryRejectedResponseRetryAfterResolver() {
		return RetryableStatus::retryAfter;
	}

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static RetryableBeanPostProcessor retryableBeanPostProcessor(ObjectProvider<RetryInterceptorFactory> factory,
			Environment environment) {
		SelfInvocation selfInvocation = Binder.get(environment)
			.bind("retry.startup.self-invocation", SelfInvocation.class)
			.orElse(SelfInvocation.WARN);
		RetryableBeanPostProcessor postProcessor = new RetryableBeanPostProcessor(factory, selfInvocation);
		postProcessor.setProxyTargetClass(environment.getProperty("spring.aop.proxy-target-class", Boolean.class, true));
		return postProcessor;
	}

}
