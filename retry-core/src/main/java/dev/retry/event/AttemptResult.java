package dev.retry.event;

import java.util.Locale;
import java.util.concurrent.CancellationException;

import dev.retry.AttemptTimeoutException;
import dev.retry.RejectedResultException;
import org.jspecify.annotations.Nullable;

/** How one attempt ended, as meters and traces name it ({@code result}). */
public enum AttemptResult {

	/** It answered. */
	SUCCESS,

	/** It failed. */
	FAILURE,

	/** Its attempt-timeout passed first. */
	TIMEOUT,

	/** It answered with a result the method retries ({@code retryOnResult}). */
	REJECTED_RESULT,

	/** It was cancelled: a hedge that lost, or a caller that gave up. */
	CANCELLED;

	private final String tag = name().toLowerCase(Locale.ROOT);

	/** The lower-case name used in metrics and traces, such as {@code rejected_result}. */
	public String tag() {
		return this.tag;
	}

	/** The result of an attempt that ended with {@code failure}, or answered when it is {@code null}. */
	public static AttemptResult of(@Nullable Throwable failure) {
		if (failure == null) {
			return SUCCESS;
		}
		if (failure instanceof AttemptTimeoutException) {
			return TIMEOUT;
		}
		if (failure instanceof RejectedResultException) {
			return REJECTED_RESULT;
		}
		return (failure instanceof CancellationException) ? CANCELLED : FAILURE;
	}

}
