package dev.retry.budget;

import org.jspecify.annotations.Nullable;

/**
 * Where a retry budget shared by a fleet of instances is counted: the calls each instance
 * recorded locally are added to it from time to time (never on a call's path), and each retry
 * asks it. A link must not throw, and must answer within its own bounded time.
 */
@FunctionalInterface
public interface BudgetLink {

	/**
	 * May one more retry be made, counting every instance's calls and retries?
	 * @return {@code TRUE} or {@code FALSE}, or {@code null} when the link cannot tell now (the
	 * instance's own budget then decides)
	 */
	@Nullable Boolean tryAcquireRetry(RetryBudget budget);

}
