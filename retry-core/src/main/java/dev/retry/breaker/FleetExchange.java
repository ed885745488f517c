package dev.retry.breaker;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * What one breaker announces to and adopts from a fleet, through its {@link BreakerLink}: its own
 * transitions told to the others, their changes taken in, and the permits and successes of a
 * half-open round shared with them. A closed breaker's calls never come here. A link never fails
 * a call: whatever it throws is taken as "cannot tell" and the breaker decides alone.
 */
final class FleetExchange {

	/** The longest open time {@link #adopt} counts: about 73 years. */
	private static final long MAX_ADOPTED_OPEN_NANOS = Long.MAX_VALUE / 4;

	private final CircuitBreaker breaker;

	/** Where state changes are announced and trials counted beyond this process; local by default. */
	private volatile BreakerLink link = BreakerLink.LOCAL;

	FleetExchange(CircuitBreaker breaker) {
		this.breaker = breaker;
	}

	BreakerLink link() {
		return this.link;
	}

	void link(BreakerLink link) {
		this.link = link;
	}

	/** See {@link CircuitBreaker#adopt}. */
	boolean adopt(BreakerLink.Change change, String origin) {
		while (true) {
			CircuitBreaker.Phase current = this.breaker.phase();
			if (current instanceof OpenPhase open && open.here && !change.byHand()) {
				return false;
			}
			CircuitBreaker.Phase next;
			String reason;
			if (change.state() == State.OPEN) {
				next = change.forced() ? new OpenPhase(0, true, false, origin)
						: new OpenPhase(this.breaker.getTicker().nanoTime() + openForNanos(change.openFor()), false,
								false, origin);
				reason = "opened by " + origin + ": " + change.reason();
			}
			else if (change.state() == State.CLOSED) {
				if (current instanceof ClosedPhase) {
					return false;
				}
				next = this.breaker.closed();
				reason = "closed by " + origin + ": " + change.reason();
			}
			else {
				return false;
			}
			if (current instanceof OpenPhase && next instanceof OpenPhase) {
				// Still open, only until another moment (a trial failed elsewhere): no state change to tell of.
				if (this.breaker.replace(current, next)) {
					return true;
				}
				continue;
			}
			if (this.breaker.transition(current, next, reason, false, false)) {
				return true;
			}
		}
	}

	/**
	 * An open time taken from elsewhere, in nanoseconds: none when negative, and at most a quarter
	 * of what a monotonic clock's differences hold, however long the time given (never overflowing).
	 */
	private static long openForNanos(Duration openFor) {
		if (openFor.isNegative()) {
			return 0;
		}
		return (openFor.getSeconds() >= MAX_ADOPTED_OPEN_NANOS / 1_000_000_000L) ? MAX_ADOPTED_OPEN_NANOS
				: openFor.toNanos();
	}

	/**
	 * Tells the fleet of a transition made here to open or closed (half-opening is not announced:
	 * every instance half-opens on its own when the open state it holds ends).
	 */
	void announce(CircuitBreaker.Phase to, boolean byHand, String reason) {
		BreakerLink link = this.link;
		if (!link.isShared() || to.state == State.HALF_OPEN) {
			return;
		}
		OpenPhase open = (to instanceof OpenPhase o) ? o : null;
		Duration openFor = (open != null && !open.forced)
				? Duration.ofNanos(Math.max(0, open.until - this.breaker.getTicker().nanoTime())) : Duration.ZERO;
		try {
			link.announce(this.breaker, new BreakerLink.Change(this.breaker.getName(), to.state, openFor,
					open != null && open.forced, byHand, reason));
		}
		catch (RuntimeException ex) {
			// A link never fails a call.
		}
	}

	/** See {@link CircuitBreaker#admissionMayWait}. */
	boolean admissionMayWait(CircuitBreaker.Phase current) {
		if (!this.link.isShared()) {
			return false;
		}
		if (current instanceof HalfOpenPhase halfOpen) {
			return halfOpen.isShared();
		}
		return current instanceof OpenPhase open && !open.forced
				&& this.breaker.getTicker().nanoTime() - open.until >= 0;
	}

	/** The fleet's round for a breaker half-opening now; 0 for a round of its own. */
	long round() {
		BreakerLink link = this.link;
		if (!link.isShared()) {
			return 0;
		}
		try {
			return link.round(this.breaker);
		}
		catch (RuntimeException ex) {
			return 0;
		}
	}

	/**
	 * Asks the fleet for one of a shared round's trial permits for a trial this instance lets
	 * through: {@code false} when the round's trials are taken elsewhere (the trial is not let
	 * through). A trial holding a permit is remembered, to give it back if it ends without evidence.
	 */
	boolean acquireTrial(HalfOpenPhase halfOpen) {
		@Nullable Boolean fleet;
		try {
			fleet = this.link.acquireTrial(this.breaker, halfOpen.round, halfOpen.calls);
		}
		catch (RuntimeException ex) {
			fleet = null;
		}
		if (Boolean.TRUE.equals(fleet)) {
			halfOpen.fleetPermits.incrementAndGet();
		}
		return !Boolean.FALSE.equals(fleet);
	}

	/** A trial of a round ended without evidence: the fleet's permit it held, if any, goes back. */
	void releaseTrial(HalfOpenPhase halfOpen) {
		if (halfOpen.fleetPermits.getAndUpdate(FleetExchange::lessOne) > 0) {
			try {
				this.link.releaseTrial(this.breaker, halfOpen.round);
			}
			catch (RuntimeException ex) {
				// A link never fails a call.
			}
		}
	}

	private static int lessOne(int permits) {
		return (permits > 0) ? permits - 1 : 0;
	}

	/**
	 * A trial of the round succeeded here, {@code here} of them so far: whether the fleet decides
	 * (trials ran on other instances too, and the link counts them: it closes the breaker once all
	 * succeeded). Otherwise this instance decides, and a fleet hears of it as of any transition.
	 */
	boolean fleetDecides(HalfOpenPhase halfOpen, int here) {
		int calls = halfOpen.calls;
		int fleetPermits = halfOpen.fleetPermits.get();
		if (fleetPermits <= 0 || (fleetPermits >= calls && here >= calls)) {
			return false;
		}
		try {
			return this.link.trialSucceeded(this.breaker, halfOpen.round, calls);
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

}
