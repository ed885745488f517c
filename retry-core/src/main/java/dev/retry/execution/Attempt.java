package dev.retry.execution;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One attempt of a call. Taking the caller's context as a parameter lets a caller pass a shared,
 * non-capturing function, so that running a call allocates nothing.
 * @param <C> the caller's context, such as a method invocation
 * @param <T> the result type
 */
@FunctionalInterface
public interface Attempt<C, T> {

	/**
	 * @param context what the caller passed to the executor
	 * @param attempt 1 for the first attempt, 2 for the first retry
	 */
	T run(C context, int attempt) throws Throwable;

	/**
	 * Starts one attempt of an asynchronous call: its stage, or a failed one when the attempt threw
	 * before returning a stage or returned {@code null}, so that every failure arrives the same way.
	 */
	static <C, T> CompletionStage<T> start(Attempt<C, ? extends CompletionStage<T>> attempt, C context,
			int number) {
		try {
			CompletionStage<T> stage = attempt.run(context, number);
			return (stage != null) ? stage : CompletableFuture
				.failedFuture(new NullPointerException("the method returned null instead of a CompletionStage"));
		}
		catch (Throwable failure) {
			return CompletableFuture.failedFuture(failure);
		}
	}

	/**
	 * Starts one attempt as a {@link CompletableFuture} the caller may cancel: the method's own
	 * future when it returns one, else a future completed by its stage.
	 */
	static <C, T> CompletableFuture<T> startFuture(Attempt<C, ? extends CompletionStage<T>> attempt, C context,
			int number) {
		CompletionStage<T> stage = start(attempt, context, number);
		if (stage instanceof CompletableFuture<T> future) {
			return future;
		}
		CompletableFuture<T> future = new CompletableFuture<>();
		stage.whenComplete((value, failure) -> {
			if (failure != null) {
				future.completeExceptionally(failure);
			}
			else {
				future.complete(value);
			}
		});
		return future;
	}

}
