package dev.retry.sample.downstream;

/** How a simulated downstream behaves; switched at run time from the page or with {@code PUT /downstream/{name}/mode}. */
public enum FailureMode {

	/** Always answers. */
	HEALTHY,

	/** Fails a share of the requests (its percent), spread evenly: 66% fails two requests of every three. */
	FLAKY,

	/** Fails every request: 503 over HTTP, a refused connection for the database. */
	DOWN,

	/** Answers after a delay longer than the client waits, so the client times out. */
	SLOW,

	/** Answers 429 with a {@code Retry-After} to every other request. */
	RATE_LIMITED

}
