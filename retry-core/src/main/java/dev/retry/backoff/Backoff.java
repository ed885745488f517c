package dev.retry.backoff;

import dev.retry.internal.Assert;

/**
 * Computes the delay before a retry: {@code base x multiplier^(n-1)} for retry {@code n}
 * (or {@code base} when exponential growth is off), jitter applied, never above {@code max}.
 * Immutable and thread-safe; the random draw is passed in so tests can pin it.
 */
public final class Backoff {

	private final long baseNanos;

	private final long maxNanos;

	private final boolean exponential;

	private final double multiplier;

	private final Jitter jitter;

	private final double jitterFactor;

	public Backoff(long baseNanos, long maxNanos, boolean exponential, double multiplier, Jitter jitter,
			double jitterFactor) {
		Assert.isTrue(baseNanos >= 0, "baseDelay must be >= 0, was %dns", baseNanos);
		Assert.isTrue(maxNanos >= baseNanos, "maxDelay must be >= baseDelay (%dns), was %dns", baseNanos, maxNanos);
		Assert.isTrue(multiplier >= 1.0, "multiplier must be >= 1.0, was %s", multiplier);
		Assert.isTrue(jitterFactor >= 0.0 && jitterFactor <= 1.0, "jitterFactor must be within 0..1, was %s",
				jitterFactor);
		this.baseNanos = baseNanos;
		this.maxNanos = maxNanos;
		this.exponential = exponential;
		this.multiplier = multiplier;
		this.jitter = Assert.notNull(jitter, "jitter");
		this.jitterFactor = jitterFactor;
	}

	/**
	 * Delay before retry {@code retry} (1 for the first retry).
	 * @param retry the retry number, starting at 1
	 * @param previousNanos the delay before the previous retry, or 0 before the first
	 * @param u a uniform random draw in {@code [0, 1)}
	 * @return the delay in nanoseconds, within {@code [0, max]}
	 */
	public long delayNanos(int retry, long previousNanos, double u) {
		double planned = planned(retry);
		double delay = switch (this.jitter) {
			case NONE -> planned;
			case PROPORTIONAL -> planned + u * this.jitterFactor * planned;
			case FULL -> u * planned;
			case EQUAL -> planned / 2 + u * planned / 2;
			case DECORRELATED -> {
				double previous = (previousNanos > 0) ? previousNanos : this.baseNanos;
				double upper = Math.max(this.baseNanos, 3 * previous);
				yield this.baseNanos + u * (upper - this.baseNanos);
			}
		};
		return (long) Math.min(delay, this.maxNanos);
	}

	/** The delay before jitter, already capped at {@code max}. */
	double planned(int retry) {
		if (!this.exponential || retry <= 1) {
			return Math.min(this.baseNanos, this.maxNanos);
		}
		double grown = this.baseNanos * Math.pow(this.multiplier, retry - 1);
		return Math.min(grown, this.maxNanos);
	}

}
