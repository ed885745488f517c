package dev.retry.execution;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Produces a result when a call finally fails, instead of the failure.
 * @param <C> the caller's context, as passed to the executor
 */
public interface Fallback<C> {

	/** Whether this fallback answers for this failure; when not, the failure goes to the caller. */
	boolean handles(Throwable failure);

	/** The result to return instead of the failure (it may throw, and then the caller gets that). */
	Object apply(C context, Throwable failure) throws Throwable;

	/**
	 * The answer for a call returning a {@link CompletionStage}: the stage the fallback returns, or
	 * one failed with what it threw (or with a {@link NullPointerException} when it returned none).
	 */
	@SuppressWarnings("unchecked")
	default <T> CompletionStage<T> applyAsync(C context, Throwable failure) {
		try {
			Object answer = apply(context, failure);
			return (answer instanceof CompletionStage<?> stage) ? (CompletionStage<T>) stage
					: CompletableFuture.failedFuture(
							new NullPointerException("the fallback returned null instead of a CompletionStage"));
		}
		catch (Throwable fallbackFailure) {
			return CompletableFuture.failedFuture(fallbackFailure);
		}
	}

}
