package dev.retry.breaker;

import org.jspecify.annotations.Nullable;

/**
 * Where a circuit breaker's state changes are announced to, and trial calls are counted with,
 * beyond this process: the seam a fleet of instances shares breakers through. A breaker is local
 * ({@link #LOCAL}) unless given another link; what a link receives from elsewhere it hands to
 * {@link CircuitBreaker#adopt}. A closed breaker's calls never reach the link: only transitions and
 * half-open trials do.
 *
 * <p>A link must not throw, and must answer calls on a call's path within its own bounded time.
 */
public interface BreakerLink {

	/** Shares nothing: the breaker decides alone. */
	BreakerLink LOCAL = new BreakerLink() {
	};

	/** Whether the breaker shares its state through this link (false for {@link #LOCAL}). */
	default boolean isShared() {
		return false;
	}

	/**
	 * The breaker changed state here, by its own calls or by hand: tell the others. Called after the
	 * change, on the thread that made it; must not block. Half-opening is not announced: every
	 * instance half-opens at the same moment on its own.
	 */
	default void announce(CircuitBreaker breaker, Change change) {
	}

	/**
	 * May one more trial call pass in the half-open round {@code round}, across everything sharing
	 * the breaker? Asked on the call's path, only while half-open.
	 * @param calls the trial calls the round lets through in all
	 * @return {@code TRUE} or {@code FALSE}, or {@code null} when the link cannot tell now (the
	 * breaker then decides alone)
	 */
	default @Nullable Boolean acquireTrial(CircuitBreaker breaker, long round, int calls) {
		return null;
	}

	/**
	 * A trial call of round {@code round} succeeded here.
	 * @return how many trials of the round have succeeded across everything sharing the breaker, or
	 * -1 when the link cannot tell (the breaker then counts alone)
	 */
	default int trialSucceeded(CircuitBreaker breaker, long round) {
		return -1;
	}

	/**
	 * A state change, as announced and adopted.
	 * @param breaker the breaker's name
	 * @param state the state entered: {@link State#OPEN} or {@link State#CLOSED}
	 * @param until for an open breaker, when it half-opens, in epoch milliseconds (0 when forced
	 * open); for a closed one, when it closed
	 * @param forced whether it was forced open by hand
	 * @param reason why, in words
	 */
	record Change(String breaker, State state, long until, boolean forced, String reason) {
	}

}
