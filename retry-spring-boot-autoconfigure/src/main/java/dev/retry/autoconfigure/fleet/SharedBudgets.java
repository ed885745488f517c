package dev.retry.autoconfigure.fleet;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.retry.budget.BudgetLink;
import dev.retry.budget.RetryBudget;
import dev.retry.policy.RetryPolicy;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Retry budgets of scope fleet: one budget per policy for the whole fleet, counted in Redis in
 * buckets of a tenth of the window on Redis's clock (instances' clocks need not agree). Each
 * instance counts its calls locally and adds them every quarter second; a retry asks Redis, at
 * most {@code operation-timeout}. Calls counted while Redis cannot be reached are dropped, not
 * added later: they would land in a window they were not made in.
 */
final class SharedBudgets {

	private final StringRedisTemplate redis;

	private final RedisCalls calls;

	private final FleetKeys keys;

	private final FleetLink link;

	private final Map<String, RetryBudget> budgets = new ConcurrentHashMap<>();

	SharedBudgets(StringRedisTemplate redis, RedisCalls calls, FleetKeys keys, FleetLink link) {
		this.redis = redis;
		this.calls = calls;
		this.keys = keys;
		this.link = link;
	}

	/** Counts a policy's budget in the fleet from now on (a re-tuned policy's new budget too). */
	void share(String policy, RetryBudget budget) {
		this.budgets.put(policy, budget);
		budget.link(new Shared(policy));
	}

	Set<String> policies() {
		return this.budgets.keySet();
	}

	/** Adds the calls each budget counted here since the last time to the fleet's count; drops them while unlinked. */
	void addCalls() {
		boolean linked = this.link.isLinked();
		this.budgets.forEach((policy, budget) -> {
			long calls = budget.drainCalls();
			if (linked && calls > 0) {
				this.calls.call(() -> run(policy, budget, calls, false), this.link.backgroundTimeoutMillis());
			}
		});
	}

	private Long run(String policy, RetryBudget budget, long calls, boolean takeRetry) {
		RetryPolicy.BudgetSettings settings = budget.settings();
		double minRetries = settings.minRetriesPerSecond() * (settings.window().toMillis() / 1000.0);
		return this.redis.execute(FleetScripts.BUDGET, List.of(this.keys.budget(policy)), Long.toString(calls),
				Double.toString(minRetries), Double.toString(settings.ratio()),
				Long.toString(settings.window().toMillis()), takeRetry ? "1" : "0");
	}

	/** One policy's budget as the fleet counts it. */
	private final class Shared implements BudgetLink {

		private final String policy;

		Shared(String policy) {
			this.policy = policy;
		}

		@Override
		public @Nullable Boolean tryAcquireRetry(RetryBudget budget) {
			FleetLink link = SharedBudgets.this.link;
			if (!link.isLinked()) {
				return null;
			}
			long calls = budget.drainCalls();
			Long taken = SharedBudgets.this.calls.call(() -> run(this.policy, budget, calls, true), link.timeoutMillis());
			if (taken == null) {
				link.unanswered();
				return null;
			}
			return taken == 1L;
		}

	}

}
