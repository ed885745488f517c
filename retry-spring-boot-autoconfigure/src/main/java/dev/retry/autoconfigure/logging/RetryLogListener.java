package dev.retry.autoconfigure.logging;

import java.time.Duration;
import java.util.Locale;

import dev.retry.RejectedResultException;
import dev.retry.event.CallTarget;
import dev.retry.event.Outcome;
import dev.retry.event.RetryListener;
import dev.retry.internal.Redaction;
import org.jspecify.annotations.Nullable;

/**
 * Logs each retry at INFO and each call that gives up at WARN, under the logger
 * {@code dev.retry.Retry}:
 * <pre>
 * Retry 2/3 for InventoryClient.fetch in 1.18s after ConnectException: Connection refused
 * </pre>
 * Failure messages are shown with URL user-info and secret query values redacted. Each line carries
 * {@code retry.method}, {@code retry.policy} and {@code retry.attempt} as key-value pairs (the
 * attempt about to run, or the last one made), shown as fields by Spring Boot's structured logging.
 */
public final class RetryLogListener implements RetryListener {

	/** Name of the logger. */
	public static final String LOGGER = "dev.retry.Retry";

	private final LogLines logger = LogLines.forLogger(LOGGER);

	@Override
	public void onRetryScheduled(CallTarget target, int nextAttempt, int maxAttempts, Duration delay,
			Throwable failure) {
		if (this.logger.isInfoEnabled()) {
			this.logger.info(target, nextAttempt, "Retry " + nextAttempt + "/" + maxAttempts + " for "
					+ target.name() + " in " + seconds(delay) + " after " + describe(failure));
		}
	}

	/** Calls that succeed at once are not worth a line (or an entry): not called for them. */
	@Override
	public boolean observesFirstAttemptSuccess() {
		return false;
	}

	@Override
	public void onCompleted(CallTarget target, Outcome outcome, int attempts, @Nullable Throwable failure) {
		switch (outcome) {
			case EXHAUSTED -> this.logger.warn(target, attempts, "Retries exhausted for " + target.name()
					+ " after " + attempts + " attempts: " + describe(failure));
			case DEADLINE_EXCEEDED -> this.logger.warn(target, attempts, "Gave up on " + target.name() + " after "
					+ attempts(attempts) + ": the next wait would cross max-duration of policy '" + target.policy()
					+ "'; last failure " + describe(failure));
			case BUDGET_EXHAUSTED -> this.logger.warn(target, attempts, "Gave up on " + target.name() + " after "
					+ attempts(attempts) + ": retry budget of policy '" + target.policy() + "' spent; last failure "
					+ describe(failure));
			case SUCCESS_AFTER_RETRY -> {
				if (this.logger.isDebugEnabled()) {
					this.logger.debug(target, attempts, target.name() + " succeeded on attempt " + attempts);
				}
			}
			case NOT_RETRYABLE -> {
				if (this.logger.isDebugEnabled()) {
					this.logger.debug(target, attempts,
							target.name() + " failed with a failure not worth retrying: " + describe(failure));
				}
			}
			default -> {
			}
		}
	}

	private static String attempts(int attempts) {
		return (attempts == 1) ? "1 attempt" : attempts + " attempts";
	}

	static String seconds(Duration delay) {
		return String.format(Locale.ROOT, "%.2fs", delay.toNanos() / 1e9);
	}

	private static String describe(@Nullable Throwable failure) {
		// "rejected result: PENDING": the service answered, with a result the method retries.
		return (failure instanceof RejectedResultException) ? Redaction.redact(failure.getMessage())
				: Redaction.describe(failure);
	}

}
