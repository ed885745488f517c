package dev.retry.backoff;

/**
 * How randomness is added to a computed delay {@code d}, so that many clients failing together
 * do not retry together. {@code u} is uniform in {@code [0, 1)}.
 */
public enum Jitter {

	/** Exactly {@code d}. */
	NONE,

	/** {@code d + U(0, factor x d)}: a little later than planned, never earlier. */
	PROPORTIONAL,

	/** {@code U(0, d)}: the widest spread, the least total load. */
	FULL,

	/** {@code d/2 + U(0, d/2)}: at least half the planned delay. */
	EQUAL,

	/** {@code min(max, U(base, 3 x previous))}: grows from the previous delay, not from the attempt number. */
	DECORRELATED

}
