package dev.retry.breaker;

import org.jspecify.annotations.Nullable;

/** The open state: until when calls are rejected, and who opened it. */
final class OpenPhase extends CircuitBreaker.Phase {

	/** The ticker's time at which it half-opens; unused when forced. */
	final long until;

	/** Forced open by hand: stays open until closed. */
	final boolean forced;

	/** Forced open on this instance only: held against the fleet's changes but an operator's. */
	final boolean here;

	/** Who opened it when it was adopted from elsewhere, else {@code null}. */
	final @Nullable String origin;

	OpenPhase(long until, boolean forced, boolean here, @Nullable String origin) {
		super(State.OPEN);
		this.until = until;
		this.forced = forced;
		this.here = here;
		this.origin = origin;
	}

	/** Open until the time given, by this instance's own calls. */
	static OpenPhase until(long until) {
		return new OpenPhase(until, false, false, null);
	}

	/** Whether a call made at {@code now} is still rejected. */
	boolean rejectsAt(long now) {
		return this.forced || now - this.until < 0;
	}

}
