package dev.retry.breaker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import dev.retry.internal.Assert;
import org.jspecify.annotations.Nullable;

/**
 * Immutable settings of one circuit breaker. Built with {@link #builder(String)}; the builder is
 * not thread-safe, {@link Builder#build()} validates and copies.
 */
public final class CircuitBreakerConfig {

	private final String name;

	private final int failureThreshold;

	private final int failureRateThreshold;

	private final int slidingWindowSize;

	private final int minimumCalls;

	private final Duration slowCallDuration;

	private final Duration openDuration;

	private final int halfOpenCalls;

	private final Duration halfOpenMaxWait;

	private final List<Class<? extends Throwable>> recordOn;

	private final List<Class<? extends Throwable>> ignoreOn;

	private CircuitBreakerConfig(Builder b) {
		this.name = b.name;
		this.failureThreshold = b.failureThreshold;
		this.failureRateThreshold = b.failureRateThreshold;
		this.slidingWindowSize = b.slidingWindowSize;
		this.minimumCalls = b.minimumCalls;
		this.slowCallDuration = b.slowCallDuration;
		this.openDuration = b.openDuration;
		this.halfOpenCalls = b.halfOpenCalls;
		this.halfOpenMaxWait = (b.halfOpenMaxWait != null) ? b.halfOpenMaxWait : b.openDuration;
		this.recordOn = List.copyOf(b.recordOn);
		this.ignoreOn = List.copyOf(b.ignoreOn);
	}

	/** A builder holding the defaults: 5 consecutive failures open it for 60s, then 1 trial call. */
	public static Builder builder(String name) {
		return new Builder(name);
	}

	public String getName() {
		return this.name;
	}

	/** Consecutive failures that open the breaker; 0 turns this rule off. */
	public int getFailureThreshold() {
		return this.failureThreshold;
	}

	/** Failure rate, in percent, over the sliding window that opens the breaker; 0 turns this rule off. */
	public int getFailureRateThreshold() {
		return this.failureRateThreshold;
	}

	/** Number of most recent calls the failure rate is computed over. */
	public int getSlidingWindowSize() {
		return this.slidingWindowSize;
	}

	/** Calls the window must have seen before the rate rule applies. */
	public int getMinimumCalls() {
		return this.minimumCalls;
	}

	/** Calls slower than this count as failures for the rate; {@link Duration#ZERO} for none. */
	public Duration getSlowCallDuration() {
		return this.slowCallDuration;
	}

	/** How long the breaker stays open before letting trial calls through. */
	public Duration getOpenDuration() {
		return this.openDuration;
	}

	/** Trial calls let through while half-open. */
	public int getHalfOpenCalls() {
		return this.halfOpenCalls;
	}

	/**
	 * How long trial calls may run while half-open: trials still running after it count as failed
	 * and the breaker opens again, so one hung trial never keeps it half-open. Defaults to the open
	 * duration.
	 */
	public Duration getHalfOpenMaxWait() {
		return this.halfOpenMaxWait;
	}

	/** When non-empty, only these failures count; the rest are ignored. */
	public List<Class<? extends Throwable>> getRecordOn() {
		return this.recordOn;
	}

	/** Failures that never count. */
	public List<Class<? extends Throwable>> getIgnoreOn() {
		return this.ignoreOn;
	}

	public Builder toBuilder() {
		return new Builder(this.name).failureThreshold(this.failureThreshold)
			.failureRateThreshold(this.failureRateThreshold)
			.slidingWindowSize(this.slidingWindowSize)
			.minimumCalls(this.minimumCalls)
			.slowCallDuration(this.slowCallDuration)
			.openDuration(this.openDuration)
			.halfOpenCalls(this.halfOpenCalls)
			.halfOpenMaxWait(this.halfOpenMaxWait)
			.recordOn(this.recordOn)
			.ignoreOn(this.ignoreOn);
	}

	@Override
	public String toString() {
		return "CircuitBreakerConfig[" + this.name + ": failureThreshold=" + this.failureThreshold
				+ ", failureRateThreshold=" + this.failureRateThreshold + "%, window=" + this.slidingWindowSize
				+ ", minimumCalls=" + this.minimumCalls + ", openDuration=" + this.openDuration + ", halfOpenCalls="
				+ this.halfOpenCalls + ", halfOpenMaxWait=" + this.halfOpenMaxWait + "]";
	}

	/** Builds a {@link CircuitBreakerConfig}. */
	public static final class Builder {

		private final String name;

		private int failureThreshold = 5;

		private int failureRateThreshold = 0;

		private int slidingWindowSize = 100;

		private int minimumCalls = 20;

		private Duration slowCallDuration = Duration.ZERO;

		private Duration openDuration = Duration.ofSeconds(60);

		private int halfOpenCalls = 1;

		private @Nullable Duration halfOpenMaxWait;

		private final List<Class<? extends Throwable>> recordOn = new ArrayList<>();

		private final List<Class<? extends Throwable>> ignoreOn = new ArrayList<>();

		private Builder(String name) {
			this.name = Assert.notNull(name, "name");
		}

		public Builder failureThreshold(int failureThreshold) {
			this.failureThreshold = failureThreshold;
			return this;
		}

		public Builder failureRateThreshold(int percent) {
			this.failureRateThreshold = percent;
			return this;
		}

		public Builder slidingWindowSize(int slidingWindowSize) {
			this.slidingWindowSize = slidingWindowSize;
			return this;
		}

		public Builder minimumCalls(int minimumCalls) {
			this.minimumCalls = minimumCalls;
			return this;
		}

		public Builder slowCallDuration(Duration slowCallDuration) {
			this.slowCallDuration = Assert.notNull(slowCallDuration, "slowCallDuration");
			return this;
		}

		public Builder openDuration(Duration openDuration) {
			this.openDuration = Assert.notNull(openDuration, "openDuration");
			return this;
		}

		public Builder halfOpenCalls(int halfOpenCalls) {
			this.halfOpenCalls = halfOpenCalls;
			return this;
		}

		/** How long trial calls may run while half-open; {@code null} for the open duration. */
		public Builder halfOpenMaxWait(@Nullable Duration halfOpenMaxWait) {
			this.halfOpenMaxWait = halfOpenMaxWait;
			return this;
		}

		public Builder recordOn(Collection<Class<? extends Throwable>> types) {
			this.recordOn.clear();
			this.recordOn.addAll(types);
			return this;
		}

		public Builder ignoreOn(Collection<Class<? extends Throwable>> types) {
			this.ignoreOn.clear();
			this.ignoreOn.addAll(types);
			return this;
		}

		/**
		 * Validates and builds.
		 * @throws IllegalArgumentException naming the first invalid value and what is allowed
		 */
		public CircuitBreakerConfig build() {
			Assert.isTrue(this.failureThreshold >= 0, "failureThreshold must be >= 0 (0 = off), was %d",
					this.failureThreshold);
			Assert.isTrue(this.failureRateThreshold >= 0 && this.failureRateThreshold <= 100,
					"failureRateThreshold must be within 0..100 percent (0 = off), was %d", this.failureRateThreshold);
			Assert.isTrue(this.failureThreshold > 0 || this.failureRateThreshold > 0,
					"failureThreshold and failureRateThreshold cannot both be 0: the breaker could never open");
			Assert.isTrue(this.slidingWindowSize >= 1, "slidingWindowSize must be >= 1, was %d", this.slidingWindowSize);
			Assert.isTrue(this.minimumCalls >= 1 && this.minimumCalls <= this.slidingWindowSize,
					"minimumCalls must be within 1..slidingWindowSize (%d), was %d", this.slidingWindowSize,
					this.minimumCalls);
			Assert.isTrue(!this.slowCallDuration.isNegative(), "slowCallDuration must be >= 0 (0 = off), was %s",
					this.slowCallDuration);
			Assert.isTrue(this.openDuration.compareTo(Duration.ZERO) > 0, "openDuration must be > 0, was %s",
					this.openDuration);
			Assert.isTrue(this.halfOpenCalls >= 1, "halfOpenCalls must be >= 1, was %d", this.halfOpenCalls);
			Assert.isTrue(this.halfOpenMaxWait == null || this.halfOpenMaxWait.compareTo(Duration.ZERO) > 0,
					"halfOpenMaxWait must be > 0, was %s", this.halfOpenMaxWait);
			return new CircuitBreakerConfig(this);
		}

	}

}
