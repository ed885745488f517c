package dev.retry.sample.downstream;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One simulated downstream: its failure mode and the requests it received since the mode was set.
 * Thread-safe.
 */
public final class Downstream {

	private final String name;

	private final String description;

	private volatile FailureMode mode;

	private volatile int percent = 66;

	private final AtomicInteger requests = new AtomicInteger();

	Downstream(String name, String description, FailureMode mode) {
		this.name = name;
		this.description = description;
		this.mode = mode;
	}

	public String getName() {
		return this.name;
	}

	public String getDescription() {
		return this.description;
	}

	public FailureMode getMode() {
		return this.mode;
	}

	/** The share of requests failed in {@link FailureMode#FLAKY} mode. */
	public int getPercent() {
		return this.percent;
	}

	/** Requests received since the mode was last set. */
	public int getRequests() {
		return this.requests.get();
	}

	/** Switches the mode and starts counting requests again. */
	public void switchTo(FailureMode mode, int percent) {
		if (percent < 0 || percent > 100) {
			throw new IllegalArgumentException("percent must be between 0 and 100, was " + percent);
		}
		this.percent = percent;
		this.mode = mode;
		this.requests.set(0);
	}

	/** Counts a request and says how to treat it. */
	public Verdict next() {
		int request = this.requests.incrementAndGet();
		return switch (this.mode) {
			case HEALTHY -> Verdict.ANSWER;
			case FLAKY -> fails(request, this.percent) ? Verdict.DROP : Verdict.ANSWER;
			case DOWN -> Verdict.FAIL;
			case SLOW -> Verdict.SLOW;
			case RATE_LIMITED -> (request % 2 == 1) ? Verdict.RATE_LIMIT : Verdict.ANSWER;
		};
	}

	/** What happens to one request. */
	public enum Verdict {

		/** Answered at once. */
		ANSWER,

		/** A flaky failure: a 503, or a connection cut in the middle of a download. */
		DROP,

		/** The service is down: 503, or a refused connection. */
		FAIL,

		/** Answered too late for the client. */
		SLOW,

		/** 429 with Retry-After. */
		RATE_LIMIT

	}

	/** Request k fails when the failures due by k (rounded up) grow: failures spread evenly, the first one failing. */
	private static boolean fails(int request, int percent) {
		return ceilPercent(request, percent) > ceilPercent(request - 1, percent);
	}

	private static long ceilPercent(int requests, int percent) {
		return ((long) requests * percent + 99) / 100;
	}

}
