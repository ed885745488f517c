package dev.retry.execution;

import dev.retry.RejectedResultException;
import dev.retry.event.CallObserver;
import dev.retry.event.CallTarget;
import dev.retry.event.Outcome;
import dev.retry.time.Scheduler;
import dev.retry.time.Sleeper;
import org.jspecify.annotations.Nullable;

/**
 * Runs the synchronous calls of one executor on their caller's thread: the first attempt, and from
 * its first failure on, the loop of waiting (the runtime's {@link Sleeper}) and attempting again
 * that {@link FailureDecision} plans, then the end it decides. One per executor, holding nothing
 * of a call: a call whose first attempt succeeds allocates nothing here; one that fails gets a
 * {@link CallProgress}.
 */
final class SyncCalls {

	private final CallTarget target;

	private final int maxAttempts;

	/** False for a breaker alone: no retry context. */
	private final boolean retries;

	private final @Nullable AttemptStage chain;

	private final FailureDecision decision;

	private final CallEvents events;

	private final Sleeper sleeper;

	private final Scheduler scheduler;

	/** Follows calls and attempts as they run from their start (tracing), or {@code null}. */
	private final @Nullable CallObserver observer;

	SyncCalls(CallTarget target, int maxAttempts, boolean retries, @Nullable AttemptStage chain,
			FailureDecision decision, CallEvents events, RetryRuntime runtime, @Nullable CallObserver observer) {
		this.target = target;
		this.maxAttempts = maxAttempts;
		this.retries = retries;
		this.chain = chain;
		this.decision = decision;
		this.events = events;
		this.sleeper = runtime.sleeper();
		this.scheduler = runtime.scheduler();
		this.observer = observer;
	}

	/** See {@link RetryExecutor#call}. */
	<C, T> T call(C context, Attempt<C, T> attempt, @Nullable Fallback<? super C> fallback) throws Throwable {
		CallObserver observer = this.observer;
		return (observer != null) ? observedCall(observer, context, attempt, fallback)
				: call(context, attempt, fallback, null);
	}

	/**
	 * A call followed by the observer: each attempt is current while it runs, and the call itself
	 * from its first failure on (its waits, its retries, its fallback). A call that succeeds at once
	 * needs no scope of its own: its attempt's is enough, and with a tracer a scope is a good share
	 * of what the call costs.
	 */
	private <C, T> T observedCall(CallObserver observer, C context, Attempt<C, T> attempt,
			@Nullable Fallback<? super C> fallback) throws Throwable {
		CallObserver.Call observed = observer.start(this.target, null);
		if (observed == null) {
			return call(context, attempt, fallback, null);
		}
		return call(context, new ObservedAttempt<>(observed, attempt), fallback, observed);
	}

	private <C, T> T call(C context, Attempt<C, T> attempt, @Nullable Fallback<? super C> fallback,
			CallObserver.@Nullable Call observed) throws Throwable {
		long start = this.decision.callStarted();
		if (!this.retries) {
			T result;
			try {
				result = run(context, attempt, 1);
			}
			catch (Throwable failure) {
				return retry(context, attempt, fallback, null, failure, start, observed);
			}
			if (observed != null) {
				observed.end(Outcome.SUCCESS, 1, null);
			}
			return result;
		}
		RetryContext retryContext = RetryContext.enter(this.target, this.maxAttempts);
		try {
			T result;
			try {
				result = run(context, attempt, 1);
			}
			catch (Throwable failure) {
				return retry(context, attempt, fallback, retryContext, failure, start, observed);
			}
			if (this.events.wantsFirstSuccess()) {
				this.events.completed(Outcome.SUCCESS, 1, null);
			}
			if (observed != null) {
				observed.end(Outcome.SUCCESS, 1, null);
			}
			return result;
		}
		finally {
			RetryContext.exit(retryContext);
		}
	}

	/** The call past its first failure: waits and attempts again while the decision says so. */
	private <C, T> T retry(C context, Attempt<C, T> attempt, @Nullable Fallback<? super C> fallback,
			@Nullable RetryContext retryContext, Throwable firstFailure, long start,
			CallObserver.@Nullable Call observed) throws Throwable {
		CallProgress call = new CallProgress(start);
		call.observed = observed;
		// From its first failure on, the call is current: its retries' log lines, waits and fallback are in it.
		CallObserver.@Nullable Scope current = (observed != null) ? observed.open() : null;
		try {
			this.decision.attemptFailed(call, firstFailure);
			while (this.decision.planRetry(call)) {
				if (observed == null && call.observed != null) {
					// Followed from its first retry on: the rest of the call is current, each attempt followed.
					observed = call.observed;
					current = observed.open();
					attempt = new ObservedAttempt<>(observed, attempt);
				}
				try {
					this.sleeper.sleep(call.delay);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					call.stop(Outcome.NOT_RETRYABLE, call.attempted);
					break;
				}
				if (this.scheduler.isClosed()) {
					// The application is shutting down: the call ends now with its last failure.
					call.stop(Outcome.NOT_RETRYABLE, call.attempted);
					break;
				}
				call.next(retryContext);
				T result;
				try {
					result = run(context, attempt, call.attempted);
				}
				catch (Throwable next) {
					this.decision.attemptFailed(call, next);
					continue;
				}
				this.events.completed(call, Outcome.SUCCESS_AFTER_RETRY, call.attempted, null);
				return result;
			}
			Throwable thrown = this.decision.end(call, fallback);
			if (thrown instanceof RejectedResultException rejected) {
				// rethrow: the caller gets the last result as it is.
				@SuppressWarnings("unchecked")
				T last = (T) rejected.getResult();
				return last;
			}
			if (thrown != null) {
				throw thrown;
			}
			@SuppressWarnings("unchecked")
			T result = (T) fallback.apply(context, call.failure);
			return result;
		}
		finally {
			if (call.failure instanceof InterruptedException) {
				// An interrupted attempt leaves the caller interrupted, whatever answered for it.
				Thread.currentThread().interrupt();
			}
			if (current != null) {
				current.close();
			}
		}
	}

	private <C, T> T run(C context, Attempt<C, T> attempt, int number) throws Throwable {
		AttemptStage chain = this.chain;
		return (chain != null) ? chain.run(context, attempt, number) : attempt.run(context, number);
	}

}
