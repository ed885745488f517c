package dev.retry;

import dev.retry.classify.Retryability;
import org.jspecify.annotations.Nullable;

/**
 * An attempt answered with a result its method's {@code retryOnResult} predicate rejected (a job
 * still {@code PENDING}, a response with status 503): retried like a transient failure. It is what
 * listeners see as the attempt's failure and what a fallback's {@code Throwable} parameter
 * receives; it carries the result. Without a stack trace: it is a signal, not an error.
 */
public class RejectedResultException extends RuntimeException implements Retryability {

	private static final long serialVersionUID = 1L;

	private final transient @Nullable Object result;

	public RejectedResultException(@Nullable Object result) {
		super(null, null, false, false);
		this.result = result;
	}

	/**
	 * {@code rejected result: } and the result's text, made when asked (a log line, an endpoint)
	 * rather than for every rejection. A result whose {@code toString()} throws (an entity whose
	 * lazy collection has no session any more) is named by its class instead.
	 */
	@Override
	public String getMessage() {
		return "rejected result: " + describe(this.result);
	}

	/** The result the predicate rejected. */
	public @Nullable Object getResult() {
		return this.result;
	}

	@Override
	public boolean isTransient() {
		return true;
	}

	private static String describe(@Nullable Object result) {
		String text;
		try {
			text = String.valueOf(result);
		}
		catch (RuntimeException | LinkageError ex) {
			return "a " + result.getClass().getName() + " whose toString() threw " + ex.getClass().getName();
		}
		return (text.length() > 200) ? text.substring(0, 200) + "..." : text;
	}

}
