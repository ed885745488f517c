package dev.retry.sample.downstream;

/** How a simulated downstream behaves. */
public enum FailureMode {

	/** Always answers. */
	HEALTHY,

	/** Fails the first two requests of every three with 503, then answers. */
	FLAKY,

	/** Always answers 503. */
	DOWN

}
