package dev.retry.classify;

/**
 * Implemented by an application's own exception to say, in code, whether it is worth another
 * attempt. Looked for along the cause chain; {@code no-retry-on} still wins over it.
 *
 * <pre>{@code
 * class QuotaExceededException extends RuntimeException implements Retryability {
 *     public boolean isTransient() { return true; }
 * }
 * }</pre>
 */
public interface Retryability {

	/** Whether the failure is temporary, so that the same call may succeed later. */
	boolean isTransient();

}
