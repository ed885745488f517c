package dev.retry.execution;

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

}
