package dev.retry.policy;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import dev.retry.backoff.Backoff;
import dev.retry.backoff.Jitter;

/**
 * An immutable, thread-safe retry policy: how many attempts, how long between them, which failures
 * are worth another attempt and what the caller gets when they run out. Built with
 * {@link #builder(String)}; {@link #toBuilder()} starts a variant.
 */
public final class RetryPolicy {

	/** The HTTP statuses retried unless a policy says otherwise. */
	public static final Set<Integer> DEFAULT_RETRY_ON_STATUS = Set.of(408, 429, 500, 502, 503, 504);

	private final String name;

	private final int maxAttempts;

	private final Duration baseDelay;

	private final Duration maxDelay;

	private final boolean exponentialBackoff;

	private final double multiplier;

	private final Jitter jitter;

	private final double jitterFactor;

	private final Duration maxDuration;

	private final Duration attemptTimeout;

	private final Duration hedgeDelay;

	private final int maxHedges;

	private final List<Class<? extends Throwable>> retryOn;

	private final List<Class<? extends Throwable>> noRetryOn;

	private final Set<Integer> retryOnStatus;

	private final boolean respectRetryAfter;

	private final OnExhausted onExhausted;

	private final BudgetSettings budget;

	private final Backoff backoff;

	RetryPolicy(RetryPolicyBuilder b) {
		this.name = b.name;
		this.maxAttempts = b.maxAttempts;
		this.baseDelay = b.baseDelay;
		this.maxDelay = b.maxDelay;
		this.exponentialBackoff = b.exponentialBackoff;
		this.multiplier = b.multiplier;
		this.jitter = b.jitter;
		this.jitterFactor = b.jitterFactor;
		this.maxDuration = b.maxDuration;
		this.attemptTimeout = b.attemptTimeout;
		this.hedgeDelay = b.hedgeDelay;
		this.maxHedges = b.maxHedges;
		this.retryOn = List.copyOf(b.retryOn);
		this.noRetryOn = List.copyOf(b.noRetryOn);
		this.retryOnStatus = Set.copyOf(b.retryOnStatus);
		this.respectRetryAfter = b.respectRetryAfter;
		this.onExhausted = b.onExhausted;
		this.budget = b.budget;
		this.backoff = new Backoff(this.baseDelay.toNanos(), this.maxDelay.toNanos(), this.exponentialBackoff,
				this.multiplier, this.jitter, this.jitterFactor);
	}

	/** A builder holding the library defaults (3 attempts, 1s doubling to at most 60s, proportional jitter 0.3). */
	public static RetryPolicyBuilder builder(String name) {
		return new RetryPolicyBuilder(name);
	}

	/** A builder pre-filled with this policy's values, for a variant. */
	public RetryPolicyBuilder toBuilder() {
		return new RetryPolicyBuilder(this);
	}

	public String getName() {
		return this.name;
	}

	/** Attempts in all, the first call included. */
	public int getMaxAttempts() {
		return this.maxAttempts;
	}

	public Duration getBaseDelay() {
		return this.baseDelay;
	}

	public Duration getMaxDelay() {
		return this.maxDelay;
	}

	public boolean isExponentialBackoff() {
		return this.exponentialBackoff;
	}

	public double getMultiplier() {
		return this.multiplier;
	}

	public Jitter getJitter() {
		return this.jitter;
	}

	public double getJitterFactor() {
		return this.jitterFactor;
	}

	/** Deadline over all attempts and waits; {@link Duration#ZERO} for none. */
	public Duration getMaxDuration() {
		return this.maxDuration;
	}

	/** How long one attempt may run; {@link Duration#ZERO} for no limit. */
	public Duration getAttemptTimeout() {
		return this.attemptTimeout;
	}

	/** How long an asynchronous attempt may go unanswered before a hedge starts; zero for none. */
	public Duration getHedgeDelay() {
		return this.hedgeDelay;
	}

	/** Hedges at most started beside one attempt. */
	public int getMaxHedges() {
		return this.maxHedges;
	}

	/** Failures retried in addition to (or, when non-empty, instead of) the built-in classification. */
	public List<Class<? extends Throwable>> getRetryOn() {
		return this.retryOn;
	}

	/** Failures never retried; wins over everything else. */
	public List<Class<? extends Throwable>> getNoRetryOn() {
		return this.noRetryOn;
	}

	public Set<Integer> getRetryOnStatus() {
		return this.retryOnStatus;
	}

	public boolean isRespectRetryAfter() {
		return this.respectRetryAfter;
	}

	public OnExhausted getOnExhausted() {
		return this.onExhausted;
	}

	public BudgetSettings getBudget() {
		return this.budget;
	}

	/** The delay computation this policy's numbers describe. */
	public Backoff getBackoff() {
		return this.backoff;
	}

	@Override
	public String toString() {
		return "RetryPolicy[" + this.name + ": maxAttempts=" + this.maxAttempts + ", baseDelay=" + this.baseDelay
				+ ", maxDelay=" + this.maxDelay + ", exponential=" + this.exponentialBackoff + ", multiplier="
				+ this.multiplier + ", jitter=" + this.jitter + "(" + this.jitterFactor + "), maxDuration="
				+ this.maxDuration + ", onExhausted=" + this.onExhausted + "]";
	}

	/**
	 * Retry budget settings: retries within {@code window} may not exceed
	 * {@code minRetriesPerSecond x windowSeconds + ratio x calls}. Off while {@code ratio == 0}.
	 * @param ratio share of calls that retries may add; 0 turns the budget off
	 * @param minRetriesPerSecond retries always allowed per second, however few calls there are
	 * @param window the sliding window the budget is counted over
	 * @param shared whether the budget is one for a whole fleet of instances (counted through a
	 * {@link dev.retry.budget.BudgetLink}), rather than this instance's own
	 */
	public record BudgetSettings(double ratio, int minRetriesPerSecond, Duration window, boolean shared) {

		/** The budget as it is unless configured: off. */
		public static final BudgetSettings OFF = new BudgetSettings(0, 10, Duration.ofSeconds(10));

		/** This instance's own budget. */
		public BudgetSettings(double ratio, int minRetriesPerSecond, Duration window) {
			this(ratio, minRetriesPerSecond, window, false);
		}

		public boolean isEnabled() {
			return this.ratio > 0;
		}

	}

}
