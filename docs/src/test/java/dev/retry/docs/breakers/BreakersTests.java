package dev.retry.docs.breakers;

import java.time.Duration;

import dev.retry.CircuitBreakerOpenException;
import dev.retry.annotation.CircuitBreaker;
import dev.retry.autoconfigure.RetryAutoConfiguration;
import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.breaker.State;
import dev.retry.docs.Yaml;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The examples of docs/circuit-breakers.md. */
class BreakersTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class))
		.withInitializer(Yaml.file("breakers/application.yml"))
		.withBean(ManualClock.class)
		.withBean(Inventory.class);

	@Test
	void fiveFailuresOpenItForThirtySecondsThenTwoTrialsCloseIt() {
		this.runner.run((context) -> {
			Inventory inventory = context.getBean(Inventory.class);
			inventory.down(true);
			for (int i = 0; i < 5; i++) {
				assertThatExceptionOfType(IllegalStateException.class).isThrownBy(inventory::stock);
			}
			assertThatExceptionOfType(CircuitBreakerOpenException.class).isThrownBy(inventory::stock)
				.satisfies((rejected) -> assertThat(rejected.getUntilHalfOpen()).isEqualTo(Duration.ofSeconds(30)));

			context.getBean(ManualClock.class).advance(Duration.ofSeconds(30));
			inventory.down(false);
			inventory.stock();
			CircuitBreakerRegistry breakers = context.getBean(CircuitBreakerRegistry.class);
			assertThat(breakers.find("inventory").getState()).isEqualTo(State.HALF_OPEN);
			inventory.stock();
			assertThat(breakers.find("inventory").getState()).isEqualTo(State.CLOSED);
		});
	}

	@Test
	void anOperatorHoldsItOpenByHand() {
		this.runner.run((context) -> {
			// tag::by-hand[]
			CircuitBreakerRegistry breakers = context.getBean(CircuitBreakerRegistry.class);
			dev.retry.breaker.CircuitBreaker inventory = breakers.find("inventory");
			inventory.forceOpen();     // stays open until close() or reset()
			// end::by-hand[]
			context.getBean(ManualClock.class).advance(Duration.ofHours(1));
			assertThatExceptionOfType(CircuitBreakerOpenException.class).isThrownBy(context.getBean(Inventory.class)::stock);
			inventory.close();
			assertThat(context.getBean(Inventory.class).stock()).isEqualTo(7);
		});
	}

	static class Inventory {

		private volatile boolean down;

		void down(boolean down) {
			this.down = down;
		}

		@CircuitBreaker(name = "inventory")
		public int stock() {
			if (this.down) {
				throw new IllegalStateException("inventory is down");
			}
			return 7;
		}

	}

}
