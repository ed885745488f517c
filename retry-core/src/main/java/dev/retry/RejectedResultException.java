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
		super("rejected result: " + describe(result), null, false, false);
		this.result = result;
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
		String text = String.valueOf(result);
		return (text.length() > 200) ? text.substring(0, 200) + "..." : text;
	}

}
