package dev.retry.breaker;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * Where a circuit breaker's state changes are announced to, and trial calls are counted with,
 * beyond this process: the seam a fleet of instances shares breakers through. A breaker is local
 * ({@link #LOCAL}) unless given another link; what a link receives from elsewhere it hands to
 * {@link CircuitBreaker#adopt}, in the order the fleet made the changes (the link orders them, the
 * breaker takes what it is given). A closed breaker's calls never reach the link: only transitions
 * and half-open trials do.
 *
 * <p>A link must not throw, and must answer calls on a call's path within its own bounded time; the
 * methods that report (announce, release, success) must not block at all.
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
	 * The breaker changed state here, by its own calls or by an operator acting on the whole fleet:
	 * tell the others. Called after the change, on the thread that made it; must not block. Not
	 * called for changes made on this instance only ({@link CircuitBreaker#forceOpenHere()}...), nor
	 * for changes adopted from the link. Half-opening is not announced: every instance half-opens
	 * on its own when the open state it holds ends.
	 */
	default void announce(CircuitBreaker breaker, Change change) {
	}

	/**
	 * The half-open round an open breaker's trials belong to, asked when it half-opens: the same on
	 * every instance holding the same open state. 0 for a round of this instance alone (the link
	 * has no shared open state for it, or is not shared); trials of round 0 are not asked about.
	 */
	default long round(CircuitBreaker breaker) {
		return 0;
	}

	/**
	 * May one more trial call pass in the half-open round {@code round}, across everything sharing
	 * the breaker? Asked on the call's path, only while half-open and only for a call this
	 * instance would let through.
	 * @param calls the trial calls the round lets through in all
	 * @return {@code TRUE} (the trial holds one of the round's permits) or {@code FALSE}, or
	 * {@code null} when the link cannot tell now (the breaker then decides alone)
	 */
	default @Nullable Boolean acquireTrial(CircuitBreaker breaker, long round, int calls) {
		return null;
	}

	/**
	 * A trial that held one of the round's permits ({@link #acquireTrial} said {@code TRUE}) ended
	 * with no evidence (an ignored failure, a cancellation): its permit goes back to the round, so
	 * that another trial may go. Must not block; a permit given back and taken again by this
	 * instance's next trial is given back first.
	 */
	default void releaseTrial(CircuitBreaker breaker, long round) {
	}

	/**
	 * A trial call of round {@code round} succeeded here. Must not block.
	 * @param calls the trial calls that must succeed, across everything sharing the breaker
	 * @return {@code true} when the link counts it: it closes the breaker (by {@link
	 * CircuitBreaker#adopt}) once the round's trials have all succeeded, or hands the decision back
	 * ({@link CircuitBreaker#settleAlone}) when it cannot count; {@code false} when the breaker is
	 * to count alone
	 */
	default boolean trialSucceeded(CircuitBreaker breaker, long round, int calls) {
		return false;
	}

	/**
	 * A state change, as announced and adopted. Times travel as durations, never as instants:
	 * instances' wall clocks need not agree.
	 * @param breaker the breaker's name
	 * @param state the state entered: {@link State#OPEN} or {@link State#CLOSED}
	 * @param openFor for an open breaker not forced open, how long it stays open from the moment
	 * the change is read (zero or less: it half-opens at its next call); else zero
	 * @param forced whether it was forced open by hand (it stays open until closed)
	 * @param byHand whether an operator made the change (forced it open, closed or reset it)
	 * @param reason why, in words
	 */
	record Change(String breaker, State state, Duration openFor, boolean forced, boolean byHand, String reason) {
	}

}
