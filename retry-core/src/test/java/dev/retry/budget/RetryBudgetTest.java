package dev.retry.budget;

import java.time.Duration;

import dev.retry.policy.RetryPolicy.BudgetSettings;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RetryBudgetTest {

	private final ManualClock clock = new ManualClock();

	@Test
	void offUnlessTheRatioIsAboveZero() {
		assertThat(RetryBudget.of(BudgetSettings.OFF, this.clock)).isNull();
	}

	@Test
	void allowsTheMinimumPlusTheRatioOfCalls() {
		RetryBudget budget = RetryBudget.of(new BudgetSettings(0.1, 1, Duration.ofSeconds(10)), this.clock);
		for (int i = 0; i < 50; i++) {
			budget.recordCall();
		}

		int granted = 0;
		while (budget.tryAcquireRetry()) {
			granted++;
		}

		assertThat(granted).as("1/s x 10s + 0.1 x 50 calls").isEqualTo(15);
		assertThat(budget.callsInWindow()).isEqualTo(50);
		assertThat(budget.retriesInWindow()).isEqualTo(15);
	}

	@Test
	void refillsAsTheWindowMovesOn() {
		RetryBudget budget = RetryBudget.of(new BudgetSettings(0.5, 0, Duration.ofSeconds(10)), this.clock);
		budget.recordCall();
		budget.recordCall();
		assertThat(budget.tryAcquireRetry()).isTrue();
		assertThat(budget.tryAcquireRetry()).isFalse();

		this.clock.advance(Duration.ofSeconds(5));
		budget.recordCall();
		budget.recordCall();
		assertThat(budget.tryAcquireRetry()).as("4 calls in the window allow 2 retries").isTrue();
		assertThat(budget.tryAcquireRetry()).isFalse();

		this.clock.advance(Duration.ofSeconds(6));
		assertThat(budget.callsInWindow()).as("the first two calls left the window").isEqualTo(2);
		assertThat(budget.tryAcquireRetry()).as("2 calls, 1 retry still in the window").isFalse();
		this.clock.advance(Duration.ofSeconds(10));
		assertThat(budget.callsInWindow()).isZero();
		assertThat(budget.retriesInWindow()).isZero();
	}

}
