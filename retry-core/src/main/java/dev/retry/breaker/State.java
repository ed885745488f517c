package dev.retry.breaker;

import java.util.Locale;

/** The state of a circuit breaker. */
public enum State {

	/** Calls pass; failures are counted. */
	CLOSED,

	/** Calls are rejected at once, until the open duration has passed. */
	OPEN,

	/** A fixed number of trial calls pass; their results close or reopen the breaker. */
	HALF_OPEN;

	private final String tag = name().toLowerCase(Locale.ROOT);

	/** The lower-case name used in metrics and endpoints, such as {@code half_open}. */
	public String tag() {
		return this.tag;
	}

}
