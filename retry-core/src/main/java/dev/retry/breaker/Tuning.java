package dev.retry.breaker;

import dev.retry.classify.HttpStatusResolver;
import dev.retry.internal.Durations;

/**
 * A breaker's configuration and the values calls read from it, computed once; replaced whole when
 * the breaker is reconfigured, so that a call reads one consistent set.
 */
final class Tuning {

	final CircuitBreakerConfig config;

	final FailureFilter filter;

	final long openNanos;

	final String openDurationText;

	/** Calls taking this long or longer are slow; 0: calls are not timed. */
	final long slowNanos;

	final long halfOpenMaxWaitNanos;

	final String halfOpenMaxWaitText;

	Tuning(CircuitBreakerConfig config, HttpStatusResolver statusResolver) {
		this.config = config;
		this.filter = new FailureFilter(config, statusResolver);
		this.openNanos = config.getOpenDuration().toNanos();
		this.openDurationText = Durations.text(config.getOpenDuration());
		this.slowNanos = config.getSlowCallDuration().toNanos();
		this.halfOpenMaxWaitNanos = config.getHalfOpenMaxWait().toNanos();
		this.halfOpenMaxWaitText = Durations.text(config.getHalfOpenMaxWait());
	}

}
