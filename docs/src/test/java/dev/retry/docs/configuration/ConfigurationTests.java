package dev.retry.docs.configuration;

import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.annotation.Retryable;
import dev.retry.autoconfigure.RetryAutoConfiguration;
import dev.retry.docs.Yaml;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.web.client.ResourceAccessException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The examples of docs/configuration.md. */
class ConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class))
		.withInitializer(Yaml.file("configuration/application.yml"))
		.withBean(ManualClock.class)
		.withBean(Payments.class);

	@Test
	void paymentsMakesFiveAttemptsWithItsOwnDelaysAndRetriesNothingElse() {
		this.runner.run((context) -> {
			Payments payments = context.getBean(Payments.class);
			assertThatExceptionOfType(GatewayBusyException.class).isThrownBy(() -> payments.charge(false));
			assertThat(payments.calls()).isEqualTo(5);
			assertThat(context.getBean(ManualClock.class).sleeps()).containsExactly(Duration.ofMillis(200),
					Duration.ofMillis(400), Duration.ofMillis(800), Duration.ofMillis(1600));

			payments.reset();
			assertThatExceptionOfType(CardDeclinedException.class).isThrownBy(() -> payments.charge(true));
			assertThat(payments.calls()).isEqualTo(1);
		});
	}

	@Test
	void aNameInBracketsIsThePolicyOfThatNameAndKeysItDoesNotSetComeFromTheDefaults() {
		this.runner.run((context) -> {
			Payments payments = context.getBean(Payments.class);
			assertThatExceptionOfType(ResourceAccessException.class).isThrownBy(payments::reserve);
			assertThat(payments.calls()).isEqualTo(2);
			assertThat(context.getBean(ManualClock.class).sleeps()).hasSize(1)
				.allSatisfy((delay) -> assertThat(delay).isBetween(Duration.ofSeconds(1), Duration.ofMillis(1300)));
		});
	}

	@Test
	void aMisspelledKeyStopsStartUpNamingTheKeyItMeant() {
		this.runner.withPropertyValues("retry.policies.payments.max-attemps=7")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("retry.policies.payments.max-attemps")
				.hasMessageContaining("retry.policies.payments.max-attempts"));
	}

	static class Payments {

		private final AtomicInteger calls = new AtomicInteger();

		public int calls() {
			return this.calls.get();
		}

		public void reset() {
			this.calls.set(0);
		}

		@Retryable(policy = "payments")
		public void charge(boolean declined) {
			this.calls.incrementAndGet();
			if (declined) {
				throw new CardDeclinedException("declined");
			}
			throw new GatewayBusyException();
		}

		@Retryable(policy = "inventory.v2")
		public void reserve() {
			this.calls.incrementAndGet();
			throw new ResourceAccessException("inventory busy", new ConnectException("Connection refused"));
		}

	}

}
