package dev.retry.event;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * Follows each call and each of its attempts while they run, for tracing: the call opens when it
 * starts and ends with its outcome, each attempt is its child and is current while it runs (so
 * that what the attempt does, an HTTP client's own observation say, nests under it), and each wait
 * before a retry is told with its delay and reason. Where {@link RetryListener} hears what
 * happened, this wraps it as it happens. An executor without an observer does none of it.
 *
 * <p>An observer need not follow every call: {@link #start} may leave a call (a trace its sampler
 * dropped, say), and an observer that says no to {@link #followsEveryCall()} is never asked at a
 * call's start, so that calls succeeding at once pay nothing for it. A call that was not followed
 * from its start meets the observer again when its first attempt fails ({@link #retrying}), so that
 * its retries can still be followed (the logging fields of each retry, say).
 *
 * <p>What an observer throws never reaches the call: it is logged once and the call goes on (a
 * call whose observation could not start goes on unobserved).
 */
public interface CallObserver {

	/**
	 * Called once for each method, when its executor is built: the observer returned follows that
	 * method's calls. Override to resolve per-method state (names, key values) once, instead of on
	 * each call.
	 * @return the observer for this method; {@code this} by default
	 */
	default CallObserver forTarget(CallTarget target) {
		return this;
	}

	/**
	 * A call of {@code target} starts.
	 * @param parent what the call is part of, as found in a Reactor subscription's context under
	 * {@link #contextKey()}; {@code null}: whatever is current on this thread
	 * @return how this call is followed, or {@code null} to leave it (it is offered to
	 * {@link #retrying} if its first attempt fails)
	 */
	@Nullable Call start(CallTarget target, @Nullable Object parent);

	/**
	 * A call of {@code target} whose attempts may run on other threads than the caller's starts: a
	 * {@code CompletableFuture} or reactive call, whose retries (and hedges) run on a scheduler's
	 * thread. As {@link #start}, except that what the call is part of must reach those threads:
	 * where {@link #start} would leave a synchronous call to what is current on the caller's thread
	 * (a trace nobody records, say), this follows the call so that each attempt makes that current
	 * where it runs. By default {@link #start}.
	 */
	default @Nullable Call startAsync(CallTarget target, @Nullable Object parent) {
		return start(target, parent);
	}

	/**
	 * Whether {@link #start} is asked at the start of every call. {@code false}: only calls whose
	 * first attempt fails meet this observer, through {@link #retrying}; a call that succeeds at
	 * once is not followed and costs nothing.
	 */
	default boolean followsEveryCall() {
		return true;
	}

	/**
	 * The first attempt of a call that was not followed from its start failed (a retry may
	 * follow): how the rest of the call is followed (its attempts from 2 on, its waits and its
	 * end), or {@code null} to leave it.
	 */
	default @Nullable Call retrying(CallTarget target) {
		return null;
	}

	/**
	 * The key under which a Reactor context carries the current observation, in both directions: a
	 * reactive call finds its parent there, and each attempt's subscription carries the attempt
	 * there (so that a reactive client nests its own under it); {@code null} when nothing does.
	 */
	default @Nullable Object contextKey() {
		return null;
	}

	/** Something made current on this thread until {@link #close()}, on the same thread. */
	interface Scope extends AutoCloseable {

		@Override
		void close();

	}

	/** One call. */
	interface Call {

		/**
		 * Makes the call current on this thread: a synchronous call, from its first failure to its
		 * end (its waits, retries and fallback; before that, its first attempt is current).
		 */
		Scope open();

		/** Attempt {@code number} (1 for the first) starts, as a child of this call. */
		ObservedAttempt attempt(int number);

		/**
		 * Attempt {@code nextAttempt} will start after {@code delay}.
		 * @param reason why the wait is this long: {@code backoff} or {@code Retry-After}
		 */
		void waiting(int nextAttempt, Duration delay, Throwable failure, String reason);

		/** The call ended; called once. {@code failure} is the last one, or {@code null}. */
		void end(Outcome outcome, int attempts, @Nullable Throwable failure);

		/** The caller gave up (cancelled) before the call ended. */
		void cancelled(int attempts);

	}

	/** One attempt, started. */
	interface ObservedAttempt {

		/** Makes the attempt current on this thread while its work is started or run. */
		Scope open();

		/** The attempt ended: {@code failure} is what it failed with, {@code null} for an answer. */
		void end(@Nullable Throwable failure);

		/** What an attempt's Reactor subscription carries under {@link CallObserver#contextKey()}. */
		default @Nullable Object contextValue() {
			return null;
		}

	}

}
