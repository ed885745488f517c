package dev.retry.autoconfigure.fleet;

import dev.retry.autoconfigure.RetryAutoConfiguration;
import dev.retry.autoconfigure.diagnostics.RetryConfigurationException;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.RedisConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/** The fleet's conditions: off by default, and a clear start-up failure when it cannot work. */
class FleetStartupTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class, RetryFleetAutoConfiguration.class))
		.withPropertyValues("retry.circuit-breakers.inventory.failure-threshold=5");

	@Test
	void offByDefaultEveryBreakerIsLocal() {
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed().doesNotHaveBean(RedisFleet.class);
			assertThat(context.getBean(dev.retry.autoconfigure.config.CircuitBreakerRegistry.class)
				.find("inventory")
				.getLink()
				.isShared()).isFalse();
		});
	}

	@Test
	void enabledWithoutARedisConnectionFactoryFailsStartUpSayingWhatToAdd() {
		this.runner.withPropertyValues("retry.fleet.enabled=true").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(RetryConfigurationException.class)
				.hasMessageContaining("retry.fleet.enabled=true, but the application has no RedisConnectionFactory");
			assertThat(((RetryConfigurationException) rootCause(context.getStartupFailure())).getAction())
				.contains("spring-boot-starter-data-redis", "spring.data.redis.*", "retry.fleet.enabled=false");
		});
	}

	@Test
	void enabledWithoutSpringDataRedisFailsStartUpSayingSo() {
		this.runner.withPropertyValues("retry.fleet.enabled=true")
			.withClassLoader(new FilteredClassLoader(RedisConnectionFactory.class))
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.hasMessageContaining("Spring Data Redis is not on the class path");
			});
	}

	@Test
	void aFleetBudgetWithoutAFleetFailsStartUpNamingThePolicy() {
		this.runner
			.withPropertyValues("retry.policies.network.budget.ratio=0.1", "retry.policies.network.budget.scope=fleet")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.hasMessageContaining("Retry policy 'network' has budget.scope=fleet, but retry.fleet.enabled is false");
			});
	}

	@Test
	void aFleetScopedBreakerWithoutAFleetFailsStartUpNamingIt() {
		this.runner.withPropertyValues("retry.circuit-breakers.inventory.scope=fleet").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("Circuit breaker 'inventory' has scope=fleet, but retry.fleet.enabled is false");
		});
	}

	@Test
	void anOperationTimeoutOfZeroFailsStartUpSayingWhatIsAllowed() {
		this.runner
			.withConfiguration(AutoConfigurations.of(
					org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration.class))
			.withPropertyValues("retry.fleet.enabled=true", "retry.fleet.operation-timeout=0")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.hasMessageContaining("retry.fleet.operation-timeout is PT0S");
				assertThat(((RetryConfigurationException) rootCause(context.getStartupFailure())).getAction())
					.contains("a duration > 0, such as 100ms");
			});
	}

	@Test
	void anInstanceStartsWhileRedisIsDownAndItsBreakersWorkLocally() throws Exception {
		int closed;
		try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
			closed = socket.getLocalPort();
		}
		long start = System.nanoTime();
		this.runner
			.withConfiguration(AutoConfigurations.of(
					org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration.class))
			.withPropertyValues("retry.fleet.enabled=true", "spring.data.redis.port=" + closed,
					"spring.data.redis.timeout=500ms")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				RedisFleet fleet = context.getBean(RedisFleet.class);
				assertThat(fleet.isLinked()).isFalse();
				dev.retry.breaker.CircuitBreaker inventory = context
					.getBean(dev.retry.autoconfigure.config.CircuitBreakerRegistry.class)
					.find("inventory");
				assertThat(inventory.getLink().isShared()).isTrue();
				for (int i = 0; i < 5; i++) {
					inventory.onFailure(inventory.tryAcquire(), new java.net.ConnectException("refused"), 0);
				}
				assertThat(inventory.getState()).isEqualTo(dev.retry.breaker.State.OPEN);
			});
		assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).as("start-up and shutdown without Redis")
			.isLessThan(java.time.Duration.ofSeconds(10));
	}

	private static Throwable rootCause(Throwable failure) {
		Throwable cause = failure;
		while (cause.getCause() != null) {
			cause = cause.getCause();
		}
		return cause;
	}

}
