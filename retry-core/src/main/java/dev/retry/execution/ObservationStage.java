package dev.retry.execution;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;

import dev.retry.event.CallObserver;
import dev.retry.internal.CallerFuture;
import dev.retry.internal.Failures;
import org.jspecify.annotations.Nullable;

/**
 * Observes each run of an attempt (each hedge included) as a child of its call: current on the
 * thread while the method runs (or, for an asynchronous method, while it starts its work), ended
 * with how the run ended. It sits inside the breaker, so an attempt the breaker rejected, never
 * made, is not observed; and outside the result check and the attempt timeout, so a run ends as
 * the retry sees it: {@code timeout} when the timeout fired (not the interrupt or cancellation
 * that carried it), {@code rejected_result} when the answer was rejected, {@code cancelled} when
 * a hedge lost or the caller gave up. Only calls whose executor has an observer have this stage.
 */
final class ObservationStage extends AttemptStage {

	private final CallObserver observer;

	ObservationStage(CallObserver observer, @Nullable AttemptStage next) {
		super(next);
		this.observer = observer;
	}

	/** The observer, for the Reactor form of this stage. */
	CallObserver observer() {
		return this.observer;
	}

	@Override
	public <C, T> T run(C context, Attempt<C, T> call, int attempt) throws Throwable {
		if (!(call instanceof ObservedAttempt<C, T> observed)) {
			return proceed(context, call, attempt);
		}
		CallObserver.ObservedAttempt run = observed.call.attempt(attempt);
		T result;
		try (CallObserver.Scope scope = run.open()) {
			result = proceed(context, observed.attempt, attempt);
		}
		catch (Throwable failure) {
			run.end(failure);
			throw failure;
		}
		run.end(null);
		return result;
	}

	@Override
	@SuppressWarnings("unchecked")
	public <C, T> CompletableFuture<T> start(C context, Attempt<C, ? extends CompletionStage<T>> call, int attempt) {
		if (!(call instanceof ObservedAttempt<?, ?> observed)) {
			return proceedAsync(context, call, attempt);
		}
		CallObserver.ObservedAttempt run = observed.call.attempt(attempt);
		CompletableFuture<T> future;
		try (CallObserver.Scope scope = run.open()) {
			future = proceedAsync(context, (Attempt<C, ? extends CompletionStage<T>>) observed.attempt, attempt);
		}
		return new Observed<>(future, run);
	}

	/**
	 * An asynchronous run, whose observation ends before anyone waiting for the run hears how it
	 * ended: the next attempt's observation never starts before this one's ends.
	 */
	private static final class Observed<T> extends CallerFuture<T> implements BiConsumer<T, Throwable> {

		private final CompletableFuture<T> run;

		private final CallObserver.ObservedAttempt observation;

		Observed(CompletableFuture<T> run, CallObserver.ObservedAttempt observation) {
			this.run = run;
			this.observation = observation;
			run.whenComplete(this);
		}

		@Override
		public void accept(@Nullable T value, @Nullable Throwable error) {
			Throwable failure = (error != null) ? Failures.unwrap(error) : null;
			this.observation.end(failure);
			if (failure != null) {
				fail(failure);
			}
			else {
				answer(value);
			}
		}

		/** The caller, a winning hedge or a timeout gave up on the run: it is cancelled, and ends so. */
		@Override
		protected void gaveUp() {
			this.run.cancel(true);
		}

	}

	@Override
	public boolean isShown() {
		return false;
	}

	@Override
	public String toString() {
		return "observation";
	}

}
