package dev.retry.breaker;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The half-open state: the trial calls of one round, those let through, those that succeeded,
 * and those holding one of a fleet's permits for the round.
 */
final class HalfOpenPhase extends CircuitBreaker.Phase {

	final AtomicInteger permits;

	final AtomicInteger succeeded = new AtomicInteger();

	/** When the latest trial was let through: half-open-max-wait counts from there. */
	volatile long lastAdmitted;

	/** Trial calls that must succeed to close; those it was opened with decide, even if half-open-calls changed since. */
	final int calls;

	/** Which half-open round this is, the same on every instance sharing it; 0 for this instance's own. */
	final long round;

	/** Trials admitted here that hold one of the fleet's permits for the round, and have not given it back. */
	final AtomicInteger fleetPermits = new AtomicInteger();

	HalfOpenPhase(int calls, long since, long round) {
		super(State.HALF_OPEN);
		this.calls = calls;
		this.permits = new AtomicInteger(calls);
		this.lastAdmitted = since;
		this.round = round;
	}

	/** Whether the trials of this round are shared with a fleet (asked of the link). */
	boolean isShared() {
		return this.round != 0;
	}

}
