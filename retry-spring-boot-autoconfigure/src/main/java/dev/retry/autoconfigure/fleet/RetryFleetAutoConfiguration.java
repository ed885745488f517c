package dev.retry.autoconfigure.fleet;

import java.net.InetAddress;
import java.util.concurrent.ThreadLocalRandom;

import dev.retry.autoconfigure.RetryAutoConfiguration;
import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.autoconfigure.config.MethodRegistry;
import dev.retry.autoconfigure.config.RetryProperties;
import dev.retry.autoconfigure.config.RetryTuning;
import dev.retry.autoconfigure.diagnostics.RetryConfigurationException;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.PropertiesEndpointAccessResolver;
import org.springframework.boot.actuate.endpoint.EndpointAccessResolver;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * The fleet, when {@code retry.fleet.enabled=true}: breakers shared through the application's
 * Redis. Without a {@link RedisConnectionFactory} (no spring-boot-starter-data-redis), start-up
 * fails saying so.
 */
@AutoConfiguration(after = RetryAutoConfiguration.class,
		afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnBooleanProperty("retry.fleet.enabled")
public final class RetryFleetAutoConfiguration {

	static final String NO_REDIS_ACTION = "Add spring-boot-starter-data-redis to the application and point "
			+ "spring.data.redis.* (host, port, or sentinel/cluster) at the fleet's Redis, or set "
			+ "retry.fleet.enabled=false to keep every breaker local.";

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(RedisConnectionFactory.class)
	static class WithRedis {

		@Bean
		RedisFleet retryFleet(ObjectProvider<RedisConnectionFactory> connectionFactory, CircuitBreakerRegistry breakers,
				MethodRegistry methods, ObjectProvider<RetryTuning> tuning, RetryProperties properties,
				Environment environment, ObjectProvider<FleetWriteAccess> access) {
			RedisConnectionFactory redis = connectionFactory.getIfAvailable();
			if (redis == null) {
				throw new RetryConfigurationException(
						"retry.fleet.enabled=true, but the application has no RedisConnectionFactory to share breakers through.",
						NO_REDIS_ACTION);
			}
			RetryProperties.Fleet fleet = properties.getFleet();
			if (fleet.getOperationTimeout().isNegative() || fleet.getOperationTimeout().isZero()) {
				throw new RetryConfigurationException("retry.fleet.operation-timeout is " + fleet.getOperationTimeout()
						+ ": a call would not wait for Redis at all, or forever.",
						"Set retry.fleet.operation-timeout to a duration > 0, such as 100ms.");
			}
			String name = (fleet.getName() != null) ? fleet.getName()
					: environment.getProperty("spring.application.name", "application");
			if (name.isBlank() || name.contains("|") || fleet.getKeyPrefix().isBlank()) {
				throw new RetryConfigurationException("retry.fleet.name '" + name + "' and retry.fleet.key-prefix '"
						+ fleet.getKeyPrefix() + "' must not be blank, and the name must not contain '|'.",
						"Set retry.fleet.name (or spring.application.name) and retry.fleet.key-prefix, such as storefront and retry.");
			}
			return new RedisFleet(redis, name, instanceName(), fleet.getKeyPrefix(), fleet.getOperationTimeout(),
					breakers, (breaker) -> scopeOf(properties, breaker) != RetryProperties.Scope.LOCAL, methods,
					tuning.getIfAvailable(), access.getIfAvailable(() -> FleetWriteAccess.UNRESTRICTED));
		}

		/**
		 * A breaker's scope: its own configuration's, else (a breaker made on demand for a name not
		 * configured) that of {@code retry.circuit-breakers.default}, else fleet.
		 */
		private static RetryProperties.Scope scopeOf(RetryProperties properties, String breaker) {
			RetryProperties.Breaker configured = properties.getCircuitBreakers().get(breaker);
			if (configured == null) {
				configured = properties.getCircuitBreakers().get("default");
			}
			RetryProperties.Scope scope = (configured != null) ? configured.getScope() : null;
			return (scope != null) ? scope : RetryProperties.Scope.FLEET;
		}

		/** host-pid-xxxx: unique even for several contexts in one JVM. */
		private static String instanceName() {
			String host;
			try {
				host = InetAddress.getLocalHost().getHostName();
			}
			catch (Exception ex) {
				host = "host";
			}
			return host + "-" + ProcessHandle.current().pid() + "-"
					+ Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
		}

	}

	/**
	 * With Spring Boot Actuator: a change arriving from the fleet meets this instance's endpoint
	 * access rules, as a write over HTTP would ({@code management.endpoint.retries.access=read-only}
	 * refuses both).
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = { "org.springframework.boot.actuate.endpoint.EndpointAccessResolver",
			"org.springframework.boot.actuate.autoconfigure.endpoint.PropertiesEndpointAccessResolver" })
	static class WithEndpointAccess {

		@Bean
		@ConditionalOnMissingBean
		FleetWriteAccess retryFleetWriteAccess(ObjectProvider<EndpointAccessResolver> resolver, Environment environment) {
			return new EndpointWriteAccess(resolver.getIfAvailable(() -> new PropertiesEndpointAccessResolver(environment)));
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMissingClass("org.springframework.data.redis.connection.RedisConnectionFactory")
	static class WithoutRedis {

		@Bean
		Object retryFleet() {
			throw new RetryConfigurationException(
					"retry.fleet.enabled=true, but Spring Data Redis is not on the class path: there is no Redis to share breakers through.",
					NO_REDIS_ACTION);
		}

	}

}
