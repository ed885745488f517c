package dev.retry.execution;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.jspecify.annotations.Nullable;

/**
 * One stage that every attempt of a call passes through. A method's stages form one chain, built
 * once when its executor is built: the executor (the retry) is outside, then hedging, the circuit
 * breaker, the observation of the attempt, the result check, the attempt timeout, and innermost
 * the call itself. Each stage holds the next, so
 * running an attempt through the chain allocates nothing for the chain itself; a stage that is
 * off (no breaker, no timeout) is not in it and costs nothing.
 *
 * <p>A stage has a synchronous and an asynchronous form; the executor picks by the call's style.
 * Reactor publishers are put through the same chain by {@link ReactiveRetry}, which keeps the
 * Reactor side of every stage in one place so that nothing here needs Reactor.
 */
public abstract class AttemptStage {

	private final @Nullable AttemptStage next;

	protected AttemptStage(@Nullable AttemptStage next) {
		this.next = next;
	}

	/** The stage inside this one, or {@code null} when the call itself is next. */
	public final @Nullable AttemptStage next() {
		return this.next;
	}

	/**
	 * Whether {@code /actuator/retries} lists this stage among what runs around a method: the
	 * stages a user configures do; those that are part of every such call (observing it, checking
	 * its result) do not.
	 */
	public boolean isShown() {
		return true;
	}

	/** Runs one attempt of a synchronous call, on the caller's thread. */
	public abstract <C, T> T run(C context, Attempt<C, T> call, int attempt) throws Throwable;

	/**
	 * Starts one attempt of an asynchronous call.
	 * @return the attempt's outcome; cancelling it (or completing it from outside) stops the attempt
	 */
	public abstract <C, T> CompletableFuture<T> start(C context, Attempt<C, ? extends CompletionStage<T>> call,
			int attempt);

	/** Runs the rest of the chain, then the call. */
	protected final <C, T> T proceed(C context, Attempt<C, T> call, int attempt) throws Throwable {
		return (this.next != null) ? this.next.run(context, call, attempt) : call.run(context, attempt);
	}

	/** Starts the rest of the chain, then the call. */
	protected final <C, T> CompletableFuture<T> proceedAsync(C context, Attempt<C, ? extends CompletionStage<T>> call,
			int attempt) {
		return (this.next != null) ? this.next.start(context, call, attempt)
				: Attempt.startFuture(call, context, attempt);
	}

}
