package dev.retry.autoconfigure.config;

import java.util.function.Function;

import dev.retry.autoconfigure.config.RetryProperties.Policy;

/** The keys of a policy, as written under {@code retry.defaults} and {@code retry.policies.<name>}. */
enum PolicyKey {

	MAX_ATTEMPTS("max-attempts", Policy::getMaxAttempts),
	BASE_DELAY("base-delay", Policy::getBaseDelay),
	MAX_DELAY("max-delay", Policy::getMaxDelay),
	EXPONENTIAL_BACKOFF("exponential-backoff", Policy::isExponentialBackoff),
	MULTIPLIER("multiplier", Policy::getMultiplier),
	JITTER("jitter", Policy::getJitter),
	JITTER_FACTOR("jitter-factor", Policy::getJitterFactor),
	MAX_DURATION("max-duration", Policy::getMaxDuration),
	ATTEMPT_TIMEOUT("attempt-timeout", Policy::getAttemptTimeout),
	HEDGE_DELAY("hedge-delay", Policy::getHedgeDelay),
	MAX_HEDGES("max-hedges", Policy::getMaxHedges),
	RETRY_ON("retry-on", Policy::getRetryOn),
	NO_RETRY_ON("no-retry-on", Policy::getNoRetryOn),
	RETRY_ON_STATUS("retry-on-status", Policy::getRetryOnStatus),
	RESPECT_RETRY_AFTER("respect-retry-after", Policy::isRespectRetryAfter),
	ON_EXHAUSTED("on-exhausted", Policy::getOnExhausted),
	BUDGET_RATIO("budget.ratio", (p) -> p.getBudget().getRatio()),
	BUDGET_MIN_RETRIES_PER_SECOND("budget.min-retries-per-second", (p) -> p.getBudget().getMinRetriesPerSecond()),
	BUDGET_WINDOW("budget.window", (p) -> p.getBudget().getWindow()),
	BUDGET_SCOPE("budget.scope", (p) -> p.getBudget().getScope());

	private final String key;

	private final Function<Policy, Object> read;

	PolicyKey(String key, Function<Policy, Object> read) {
		this.key = key;
		this.read = read;
	}

	/** The key as written in configuration, such as {@code max-attempts}. */
	String key() {
		return this.key;
	}

	Object read(Policy policy) {
		return this.read.apply(policy);
	}

}
