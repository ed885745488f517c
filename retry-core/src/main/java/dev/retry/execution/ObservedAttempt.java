package dev.retry.execution;

import dev.retry.event.CallObserver;

/**
 * The attempt of a call its observer follows, as it passes down the chain: it carries the call's
 * observation to the {@link ObservationStage}, which observes each run there and hands the
 * attempt itself to the stages inside. One per observed call; a call without an observer passes
 * its attempt as it is.
 */
final class ObservedAttempt<C, T> implements Attempt<C, T> {

	final CallObserver.Call call;

	final Attempt<C, T> attempt;

	ObservedAttempt(CallObserver.Call call, Attempt<C, T> attempt) {
		this.call = call;
		this.attempt = attempt;
	}

	/** Reached only when no {@link ObservationStage} took it apart: the attempt runs unobserved. */
	@Override
	public T run(C context, int number) throws Throwable {
		return this.attempt.run(context, number);
	}

	@Override
	public Attempt<C, T> beside() {
		Attempt<C, T> beside = this.attempt.beside();
		return (beside == this.attempt) ? this : new ObservedAttempt<>(this.call, beside);
	}

}
