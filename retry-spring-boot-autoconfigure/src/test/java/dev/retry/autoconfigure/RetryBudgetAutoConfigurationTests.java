package dev.retry.autoconfigure;

import java.net.ConnectException;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.annotation.Retryable;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The budget of {@code retry.policies.<name>.budget}, shared by every method using the policy. */
@ExtendWith(OutputCaptureExtension.class)
class RetryBudgetAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class))
		.withBean(ManualClock.class)
		.withBean(Payments.class)
		.withPropertyValues("retry.policies.payments.max-attempts=3", "retry.policies.payments.budget.ratio=0.5",
				"retry.policies.payments.budget.min-retries-per-second=0",
				"retry.policies.payments.budget.window=10m");

	@Test
	void methodsOfOnePolicyDrawFromOneBudgetAndARetryOverItIsNotMade(CapturedOutput output) {
		this.runner.run((context) -> {
			Payments payments = context.getBean(Payments.class);

			assertThatExceptionOfType(ConnectException.class).isThrownBy(payments::charge);
			assertThat(payments.attempts()).as("1 call allows 0.5 retries: none").isEqualTo(1);
			assertThatExceptionOfType(ConnectException.class).isThrownBy(payments::refund);
			assertThat(payments.attempts()).as("2 calls, counted across both methods, allow 1 retry").isEqualTo(3);

			assertThat(output).contains("Gave up on Payments.charge after 1 attempt: retry budget of policy "
					+ "'payments' spent", "Gave up on Payments.refund after 2 attempts: retry budget of policy "
					+ "'payments' spent");
		});
	}

	@Test
	void withoutABudgetEveryAttemptIsMade() {
		this.runner.withPropertyValues("retry.policies.payments.budget.ratio=0").run((context) -> {
			Payments payments = context.getBean(Payments.class);

			assertThatExceptionOfType(ConnectException.class).isThrownBy(payments::charge);
			assertThatExceptionOfType(ConnectException.class).isThrownBy(payments::refund);
			assertThat(payments.attempts()).isEqualTo(6);
		});
	}

	public static class Payments {

		private final AtomicInteger attempts = new AtomicInteger();

		@Retryable("payments")
		public void charge() throws ConnectException {
			this.attempts.incrementAndGet();
			throw new ConnectException("refused");
		}

		@Retryable("payments")
		public void refund() throws ConnectException {
			this.attempts.incrementAndGet();
			throw new ConnectException("refused");
		}

		public int attempts() {
			return this.attempts.get();
		}

	}

}
