package dev.retry.breaker;

import dev.retry.CircuitBreakerOpenException;
import dev.retry.classify.HttpStatusResolver;
import dev.retry.internal.Causes;

/**
 * Which failures count against a breaker: those in {@code recordOn} (all, when it is empty) but
 * not in {@code ignoreOn}, and, by default, not HTTP 4xx responses other than 408 and 429 (the
 * downstream answered; the request was wrong). Looked for along the cause chain.
 */
final class FailureFilter {

	private final Class<?>[] recordOn;

	private final Class<?>[] ignoreOn;

	private final HttpStatusResolver statusResolver;

	FailureFilter(CircuitBreakerConfig config, HttpStatusResolver statusResolver) {
		this.recordOn = config.getRecordOn().toArray(new Class<?>[0]);
		this.ignoreOn = config.getIgnoreOn().toArray(new Class<?>[0]);
		this.statusResolver = statusResolver;
	}

	boolean isIgnored(Throwable failure) {
		if (failure instanceof CircuitBreakerOpenException) {
			// Another breaker's rejection says nothing about this downstream's health.
			return true;
		}
		if (Causes.anyInstanceOf(failure, this.ignoreOn)) {
			return true;
		}
		if (this.recordOn.length > 0) {
			return !Causes.anyInstanceOf(failure, this.recordOn);
		}
		Integer status = Causes.first(failure, (t) -> {
			int found = this.statusResolver.statusOf(t);
			// A 2xx wrapper (a body cut off after a 200) does not decide: its cause does.
			return (found >= 0 && (found < 200 || found >= 300)) ? found : null;
		});
		return status != null && status >= 400 && status < 500 && status != 408 && status != 429;
	}

}
