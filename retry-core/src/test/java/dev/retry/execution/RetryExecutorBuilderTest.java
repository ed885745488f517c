package dev.retry.execution;

import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.backoff.Jitter;
import dev.retry.budget.RetryBudget;
import dev.retry.policy.RetryPolicy;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.catchThrowable;

class RetryExecutorBuilderTest {

	private final ManualClock clock = new ManualClock();

	private final RetryRuntime runtime = RetryRuntime.defaults().withSleeper(this.clock).withTicker(this.clock);

	/** Three attempts, a millisecond apart; a budget of one retry a second (plus 1% of the calls). */
	private final RetryPolicy policy = RetryPolicy.builder("network")
		.jitter(Jitter.NONE)
		.maxAttempts(3)
		.baseDelay(Duration.ofMillis(1))
		.budget(0.01, 1, Duration.ofSeconds(1))
		.build();

	private final AtomicInteger attempts = new AtomicInteger();

	@Test
	void executorsGivenOneBudgetDrawFromItTogether() {
		RetryBudget shared = RetryBudget.of(this.policy.getBudget(), this.clock);
		RetryExecutor first = RetryExecutor.builder("Inventory.fetch", this.policy)
			.runtime(this.runtime)
			.budget(shared)
			.build();
		RetryExecutor second = RetryExecutor.builder("Inventory.reserve", this.policy)
			.runtime(this.runtime)
			.budget(shared)
			.build();

		assertThat(attemptsOfAFailingCall(first)).as("the budget's one retry").isEqualTo(2);
		assertThat(attemptsOfAFailingCall(second)).as("the first spent the shared retry").isEqualTo(1);
	}

	@Test
	void anExecutorGivenNoBudgetHasOneOfItsOwnWhenThePolicySetsOne() {
		RetryExecutor first = RetryExecutor.builder("Inventory.fetch", this.policy).runtime(this.runtime).build();
		RetryExecutor second = RetryExecutor.builder("Inventory.reserve", this.policy).runtime(this.runtime).build();

		assertThat(attemptsOfAFailingCall(first)).isEqualTo(2);
		assertThat(attemptsOfAFailingCall(second)).isEqualTo(2);
		assertThat(first.getBudget()).isNotNull().isNotSameAs(second.getBudget());
	}

	@Test
	void anExecutorToldItHasNoBudgetRetriesAsThePolicyAllows() {
		RetryExecutor unbudgeted = RetryExecutor.builder("Inventory.fetch", this.policy)
			.runtime(this.runtime)
			.budget(null)
			.build();

		assertThat(attemptsOfAFailingCall(unbudgeted)).isEqualTo(3);
		assertThat(attemptsOfAFailingCall(unbudgeted)).isEqualTo(3);
		assertThat(unbudgeted.getBudget()).isNull();
	}

	@Test
	void aMissingNameOrPolicyIsRefusedWithWhatIsExpected() {
		assertThatIllegalArgumentException().isThrownBy(() -> RetryExecutor.builder(" ", this.policy))
			.withMessage("name must name the method, as SimpleClassName.method; was ' '");
		assertThatIllegalArgumentException().isThrownBy(() -> RetryExecutor.builder("Inventory.fetch", null))
			.withMessage("policy must not be null");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> RetryExecutor.builder("Inventory.fetch", this.policy).runtime(null))
			.withMessage("runtime must not be null");
	}

	@Test
	void aBreakerAloneMakesOneAttemptAndShowsNoRetry() {
		dev.retry.breaker.CircuitBreaker breaker = dev.retry.breaker.CircuitBreaker
			.of(dev.retry.breaker.CircuitBreakerConfig.builder("inventory").build());
		RetryExecutor alone = RetryExecutor.breakerOnly("Inventory.fetch", breaker, this.runtime);
		RetryExecutor retrying = RetryExecutor.builder("Inventory.fetch", this.policy)
			.runtime(this.runtime)
			.breaker(breaker)
			.build();

		assertThat(attemptsOfAFailingCall(alone)).isEqualTo(1);
		assertThat(alone.describeStages()).containsExactly("circuitBreaker(inventory)");
		assertThat(retrying.describeStages()).containsExactly("retry(network)", "circuitBreaker(inventory)");
	}

	private int attemptsOfAFailingCall(RetryExecutor executor) {
		this.attempts.set(0);
		Throwable failure = catchThrowable(() -> executor.get(() -> {
			this.attempts.incrementAndGet();
			throw new ConnectException("Connection refused");
		}));
		assertThat(failure).isInstanceOf(ConnectException.class);
		return this.attempts.get();
	}

}
