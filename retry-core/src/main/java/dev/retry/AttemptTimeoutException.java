package dev.retry;

import java.time.Duration;

import dev.retry.classify.Retryability;
import dev.retry.internal.Durations;
import org.jspecify.annotations.Nullable;

/**
 * An attempt ran longer than its policy's {@code attempt-timeout}. Transient: retried like any
 * transient failure, and counted as a failure by a breaker. The cause is what the attempt threw
 * when it was interrupted (synchronous methods), if anything.
 */
public class AttemptTimeoutException extends RuntimeException implements Retryability {

	private static final long serialVersionUID = 1L;

	private final Duration timeout;

	public AttemptTimeoutException(Duration timeout, @Nullable Throwable cause) {
		super("Attempt timed out after " + Durations.text(timeout), cause);
		this.timeout = timeout;
	}

	/** The policy's attempt-timeout that this attempt exceeded. */
	public Duration getTimeout() {
		return this.timeout;
	}

	@Override
	public boolean isTransient() {
		return true;
	}

}
