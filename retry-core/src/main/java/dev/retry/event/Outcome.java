package dev.retry.event;

import java.util.Locale;

/** How a call under a retry policy ended. */
public enum Outcome {

	/** The first attempt succeeded. */
	SUCCESS,

	/** An attempt after at least one retry succeeded. */
	SUCCESS_AFTER_RETRY,

	/** Every attempt the policy allows failed with a retryable failure. */
	EXHAUSTED,

	/** The failure is permanent (or an {@link Error}, or the thread was interrupted): not retried. */
	NOT_RETRYABLE,

	/** Another attempt would have exceeded the policy's retry budget. */
	BUDGET_EXHAUSTED,

	/** The next wait would have crossed the policy's {@code max-duration}. */
	DEADLINE_EXCEEDED,

	/** An open circuit breaker rejected the call. */
	REJECTED;

	private final String tag = name().toLowerCase(Locale.ROOT);

	/** The lower-case name used in metrics and logs, such as {@code success_after_retry}. */
	public String tag() {
		return this.tag;
	}

	public boolean isSuccess() {
		return this == SUCCESS || this == SUCCESS_AFTER_RETRY;
	}

}
