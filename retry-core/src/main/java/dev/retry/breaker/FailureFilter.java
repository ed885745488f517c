package dev.retry.breaker;

import dev.retry.CircuitBreakerOpenException;
import dev.retry.classify.HttpStatusResolver;

/**
 * Which failures count against a breaker: those in {@code recordOn} (all, when it is empty) but
 * not in {@code ignoreOn}, and, by default, not HTTP 4xx responses other than 408 and 429 (the
 * downstream answered; the request was wrong). Looked for along the cause chain.
 */
final class FailureFilter {

	private static final int MAX_CAUSE_DEPTH = 32;

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
		if (this.ignoreOn.length > 0 && inChain(failure, this.ignoreOn)) {
			return true;
		}
		if (this.recordOn.length > 0) {
			return !inChain(failure, this.recordOn);
		}
		int depth = 0;
		for (Throwable t = failure; t != null && depth < MAX_CAUSE_DEPTH; t = t.getCause(), depth++) {
			int status = this.statusResolver.statusOf(t);
			if (status >= 0) {
				return status >= 400 && status < 500 && status != 408 && status != 429;
			}
			if (t.getCause() == t) {
				break;
			}
		}
		return false;
	}

	private static boolean inChain(Throwable failure, Class<?>[] types) {
		int depth = 0;
		for (Throwable t = failure; t != null && depth < MAX_CAUSE_DEPTH; t = t.getCause(), depth++) {
			for (Class<?> type : types) {
				if (type.isInstance(t)) {
					return true;
				}
			}
			if (t.getCause() == t) {
				break;
			}
		}
		return false;
	}

}
