package dev.retry.docs.outage;

/** What a vendor's SDK might throw when it is throttled. */
public class ThrottledException extends RuntimeException {

	private final long retryAfterMillis;

	public ThrottledException(long retryAfterMillis) {
		super("throttled");
		this.retryAfterMillis = retryAfterMillis;
	}

	public long getRetryAfterMillis() {
		return this.retryAfterMillis;
	}

}
