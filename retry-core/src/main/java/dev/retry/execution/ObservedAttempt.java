package dev.retry.execution;

import java.util.concurrent.CompletionStage;

import dev.retry.event.CallObserver;
import dev.retry.internal.Failures;

/**
 * An attempt that its call's observer follows: the attempt is current on the thread while the
 * method runs (or, for an asynchronous method, while it starts its work) and ends with what the
 * method answered or threw (or, asynchronously, with how its stage completed). It wraps the call
 * itself, innermost in the chain, so every attempt really made is seen, each hedge included, and
 * an attempt a breaker rejected is not.
 */
final class ObservedAttempt<C, T> implements Attempt<C, T> {

	private final CallObserver.Call call;

	private final Attempt<C, T> attempt;

	private final boolean async;

	ObservedAttempt(CallObserver.Call call, Attempt<C, T> attempt, boolean async) {
		this.call = call;
		this.attempt = attempt;
		this.async = async;
	}

	@Override
	public T run(C context, int number) throws Throwable {
		CallObserver.ObservedAttempt observed = this.call.attempt(number);
		T result;
		try (CallObserver.Scope scope = observed.open()) {
			result = this.attempt.run(context, number);
		}
		catch (Throwable failure) {
			observed.end(failure);
			throw failure;
		}
		if (this.async && result instanceof CompletionStage<?> stage) {
			stage.whenComplete((value, failure) -> observed.end((failure != null) ? Failures.unwrap(failure) : null));
		}
		else {
			observed.end(null);
		}
		return result;
	}

}
