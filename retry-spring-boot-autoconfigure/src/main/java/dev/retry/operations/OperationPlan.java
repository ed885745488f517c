package dev.retry.operations;

import java.util.function.Consumer;

import dev.retry.autoconfigure.aop.RetryInterceptorFactory;
import dev.retry.execution.RetryExecutor;
import dev.retry.policy.RetryPolicy;
import org.jspecify.annotations.Nullable;

/**
 * The plan of every operation of one name, policy and breaker: made on the first call (or when
 * the operation is named), so that the steps of a chain ({@code policy(...).circuitBreaker(...)})
 * register nothing; replaced whole when the policy is re-tuned, through the same mechanism that
 * re-plans annotated methods. A call reads it once, with one volatile read.
 */
final class OperationPlan implements Consumer<RetryExecutor> {

	private final Key key;

	/** {@code null} when retries are turned off: one attempt, nothing else. */
	private final @Nullable RetryInterceptorFactory planner;

	private volatile @Nullable RetryExecutor executor;

	OperationPlan(Key key, @Nullable RetryInterceptorFactory planner) {
		this.key = key;
		this.planner = planner;
	}

	Key key() {
		return this.key;
	}

	/** What a call runs under now. */
	RetryExecutor executor() {
		RetryExecutor executor = this.executor;
		return (executor != null) ? executor : resolve();
	}

	private synchronized RetryExecutor resolve() {
		RetryExecutor executor = this.executor;
		if (executor == null) {
			RetryInterceptorFactory planner = this.planner;
			if (planner != null) {
				// Hands this its plan (accept), now and on each re-tuning, in the order they are made.
				planner.operation(this.key.name(), this.key.policy(), this.key.breaker(), this);
				return java.util.Objects.requireNonNull(this.executor);
			}
			executor = RetryExecutor.builder(this.key.name(), RetryPolicy.builder(this.key.name()).maxAttempts(1).build())
				.build();
			this.executor = executor;
		}
		return executor;
	}

	/** The policy was re-tuned: calls from now on run under the new plan, calls in flight finish under theirs. */
	@Override
	public void accept(RetryExecutor replanned) {
		this.executor = replanned;
	}

	/**
	 * @param name the operation's name
	 * @param policy its policy, or {@code null} for a breaker alone
	 * @param breaker its breaker, or {@code null}
	 */
	record Key(String name, @Nullable String policy, @Nullable String breaker) {
	}

}
