package dev.retry.execution;

/**
 * Produces a result when a call finally fails, instead of the failure.
 * @param <C> the caller's context, as passed to the executor
 */
public interface Fallback<C> {

	/** Whether this fallback answers for this failure; when not, the failure goes to the caller. */
	boolean handles(Throwable failure);

	/** The result to return instead of the failure (it may throw, and then the caller gets that). */
	Object apply(C context, Throwable failure) throws Throwable;

}
