package dev.retry;

/**
 * Thrown, with policy {@code on-exhausted: wrap}, when every attempt of a call failed. The cause
 * is the last failure; earlier failures are attached as suppressed exceptions, oldest first.
 */
public class RetryExhaustedException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	private final int attempts;

	public RetryExhaustedException(String method, int attempts, Throwable lastFailure) {
		super(method + " failed after " + attempts + " attempts: " + lastFailure.getMessage(), lastFailure);
		this.attempts = attempts;
	}

	/** Number of attempts made, the first call included. */
	public int getAttempts() {
		return this.attempts;
	}

}
