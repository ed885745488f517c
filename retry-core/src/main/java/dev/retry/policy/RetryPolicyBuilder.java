package dev.retry.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.retry.backoff.Jitter;
import dev.retry.internal.Assert;
import dev.retry.policy.RetryPolicy.BudgetSettings;

/**
 * Builds a {@link RetryPolicy}. Not thread-safe; {@link #build()} validates and copies, so a built
 * policy never changes.
 */
public final class RetryPolicyBuilder {

	String name;

	int maxAttempts = 3;

	Duration baseDelay = Duration.ofSeconds(1);

	Duration maxDelay = Duration.ofSeconds(60);

	boolean exponentialBackoff = true;

	double multiplier = 2.0;

	Jitter jitter = Jitter.PROPORTIONAL;

	double jitterFactor = 0.3;

	Duration maxDuration = Duration.ZERO;

	Duration attemptTimeout = Duration.ZERO;

	Duration hedgeDelay = Duration.ZERO;

	int maxHedges = 1;

	final List<Class<? extends Throwable>> retryOn = new ArrayList<>();

	final List<Class<? extends Throwable>> noRetryOn = new ArrayList<>();

	final Set<Integer> retryOnStatus = new LinkedHashSet<>(RetryPolicy.DEFAULT_RETRY_ON_STATUS);

	boolean respectRetryAfter = true;

	OnExhausted onExhausted = OnExhausted.RETHROW;

	BudgetSettings budget = BudgetSettings.OFF;

	RetryPolicyBuilder(String name) {
		this.name = Assert.notNull(name, "name");
	}

	RetryPolicyBuilder(RetryPolicy policy) {
		this.name = policy.getName();
		this.maxAttempts = policy.getMaxAttempts();
		this.baseDelay = policy.getBaseDelay();
		this.maxDelay = policy.getMaxDelay();
		this.exponentialBackoff = policy.isExponentialBackoff();
		this.multiplier = policy.getMultiplier();
		this.jitter = policy.getJitter();
		this.jitterFactor = policy.getJitterFactor();
		this.maxDuration = policy.getMaxDuration();
		this.attemptTimeout = policy.getAttemptTimeout();
		this.hedgeDelay = policy.getHedgeDelay();
		this.maxHedges = policy.getMaxHedges();
		this.retryOn.addAll(policy.getRetryOn());
		this.noRetryOn.addAll(policy.getNoRetryOn());
		this.retryOnStatus.clear();
		this.retryOnStatus.addAll(policy.getRetryOnStatus());
		this.respectRetryAfter = policy.isRespectRetryAfter();
		this.onExhausted = policy.getOnExhausted();
		this.budget = policy.getBudget();
	}

	public RetryPolicyBuilder name(String name) {
		this.name = Assert.notNull(name, "name");
		return this;
	}

	public RetryPolicyBuilder maxAttempts(int maxAttempts) {
		this.maxAttempts = maxAttempts;
		return this;
	}

	public RetryPolicyBuilder baseDelay(Duration baseDelay) {
		this.baseDelay = Assert.notNull(baseDelay, "baseDelay");
		return this;
	}

	public RetryPolicyBuilder maxDelay(Duration maxDelay) {
		this.maxDelay = Assert.notNull(maxDelay, "maxDelay");
		return this;
	}

	public RetryPolicyBuilder exponentialBackoff(boolean exponentialBackoff) {
		this.exponentialBackoff = exponentialBackoff;
		return this;
	}

	public RetryPolicyBuilder multiplier(double multiplier) {
		this.multiplier = multiplier;
		return this;
	}

	public RetryPolicyBuilder jitter(Jitter jitter) {
		this.jitter = Assert.notNull(jitter, "jitter");
		return this;
	}

	public RetryPolicyBuilder jitterFactor(double jitterFactor) {
		this.jitterFactor = jitterFactor;
		return this;
	}

	/** How long one attempt may run before it fails with an AttemptTimeoutException; zero for no limit. */
	public RetryPolicyBuilder attemptTimeout(Duration attemptTimeout) {
		this.attemptTimeout = Assert.notNull(attemptTimeout, "attemptTimeout");
		return this;
	}

	/**
	 * How long an attempt of an asynchronous or reactive call may go unanswered before a hedge
	 * starts beside it; zero for no hedging.
	 */
	public RetryPolicyBuilder hedgeDelay(Duration hedgeDelay) {
		this.hedgeDelay = Assert.notNull(hedgeDelay, "hedgeDelay");
		return this;
	}

	/** Hedges at most started beside one attempt. */
	public RetryPolicyBuilder maxHedges(int maxHedges) {
		this.maxHedges = maxHedges;
		return this;
	}

	public RetryPolicyBuilder maxDuration(Duration maxDuration) {
		this.maxDuration = Assert.notNull(maxDuration, "maxDuration");
		return this;
	}

	/** Replaces the classes retried on; an empty list means the built-in transient classification. */
	public RetryPolicyBuilder retryOn(Collection<Class<? extends Throwable>> types) {
		this.retryOn.clear();
		this.retryOn.addAll(types);
		return this;
	}

	/** Replaces the classes never retried. */
	public RetryPolicyBuilder noRetryOn(Collection<Class<? extends Throwable>> types) {
		this.noRetryOn.clear();
		this.noRetryOn.addAll(types);
		return this;
	}

	public RetryPolicyBuilder retryOnStatus(Collection<Integer> statuses) {
		this.retryOnStatus.clear();
		this.retryOnStatus.addAll(statuses);
		return this;
	}

	public RetryPolicyBuilder respectRetryAfter(boolean respectRetryAfter) {
		this.respectRetryAfter = respectRetryAfter;
		return this;
	}

	public RetryPolicyBuilder onExhausted(OnExhausted onExhausted) {
		this.onExhausted = Assert.notNull(onExhausted, "onExhausted");
		return this;
	}

	public RetryPolicyBuilder budget(double ratio, int minRetriesPerSecond, Duration window) {
		return budget(ratio, minRetriesPerSecond, window, false);
	}

	/** @param shared one budget for a whole fleet of instances, rather than this instance's own */
	public RetryPolicyBuilder budget(double ratio, int minRetriesPerSecond, Duration window, boolean shared) {
		this.budget = new BudgetSettings(ratio, minRetriesPerSecond, Assert.notNull(window, "budget.window"), shared);
		return this;
	}

	/**
	 * Validates and builds.
	 * @throws IllegalArgumentException naming the first invalid value and what is allowed
	 */
	public RetryPolicy build() {
		Assert.isTrue(this.maxAttempts >= 1, "maxAttempts must be >= 1, was %d", this.maxAttempts);
		Assert.isTrue(!this.baseDelay.isNegative(), "baseDelay must be >= 0, was %s", this.baseDelay);
		Assert.isTrue(this.maxDelay.compareTo(this.baseDelay) >= 0, "maxDelay must be >= baseDelay (%s), was %s",
				this.baseDelay, this.maxDelay);
		Assert.isTrue(this.multiplier >= 1.0, "multiplier must be >= 1.0, was %s", this.multiplier);
		Assert.isTrue(this.jitterFactor >= 0.0 && this.jitterFactor <= 1.0, "jitterFactor must be within 0..1, was %s",
				this.jitterFactor);
		Assert.isTrue(!this.maxDuration.isNegative(), "maxDuration must be >= 0 (0 = none), was %s", this.maxDuration);
		Assert.isTrue(!this.attemptTimeout.isNegative(), "attemptTimeout must be >= 0 (0 = none), was %s",
				this.attemptTimeout);
		Assert.isTrue(this.maxDuration.isZero() || this.attemptTimeout.compareTo(this.maxDuration) <= 0,
				"attemptTimeout must be <= maxDuration (%s), was %s", this.maxDuration, this.attemptTimeout);
		Assert.isTrue(!this.hedgeDelay.isNegative(), "hedgeDelay must be >= 0 (0 = off), was %s", this.hedgeDelay);
		Assert.isTrue(this.maxHedges >= 1, "maxHedges must be >= 1, was %d", this.maxHedges);
		for (Integer status : this.retryOnStatus) {
			Assert.isTrue(status != null && status >= 100 && status <= 599,
					"retryOnStatus must hold HTTP statuses within 100..599, was %s", status);
		}
		Assert.isTrue(this.budget.ratio() >= 0, "budget.ratio must be >= 0, was %s", this.budget.ratio());
		Assert.isTrue(this.budget.minRetriesPerSecond() >= 0, "budget.minRetriesPerSecond must be >= 0, was %d",
				this.budget.minRetriesPerSecond());
		Assert.isTrue(!this.budget.isEnabled() || this.budget.window().toMillis() >= 1,
				"budget.window must be >= 1ms, was %s", this.budget.window());
		return new RetryPolicy(this);
	}

}
