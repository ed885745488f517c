package dev.retry.execution;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.retry.internal.StageFuture;

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
	 * What runs a hedge: this attempt's work again, beside the run of the same attempt already
	 * started, with the same context. The same by default; an attempt whose first run consumes
	 * something that can be used once (a proxy's method invocation, which proceeds once down its
	 * chain of interceptors) answers one that starts afresh.
	 */
	default Attempt<C, T> beside() {
		return this;
	}

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
	 * Starts one attempt as a {@link CompletableFuture} the stages of the call may ask, cancel and
	 * complete: the method's own future when it is a plain one, else a future completed by its
	 * stage (see {@link StageFuture}).
	 */
	static <C, T> CompletableFuture<T> startFuture(Attempt<C, ? extends CompletionStage<T>> attempt, C context,
			int number) {
		return StageFuture.of(start(attempt, context, number));
	}

}
