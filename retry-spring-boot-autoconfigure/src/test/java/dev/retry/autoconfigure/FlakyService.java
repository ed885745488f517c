package dev.retry.autoconfigure;

import java.net.ConnectException;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.annotation.Retryable;

/** Fails the first {@code failures} calls of each method with a refused connection, then answers. */
public class FlakyService {

	final AtomicInteger calls = new AtomicInteger();

	volatile int failures = 2;

	@Retryable
	public String plain() throws ConnectException {
		return answer("plain");
	}

	@Retryable(policy = "network")
	public String network() throws ConnectException {
		return answer("network");
	}

	@Retryable(policy = "fast")
	public String fast() throws ConnectException {
		return answer("fast");
	}

	@Retryable(policy = "network", noRetryOn = ConnectException.class)
	public String neverOnConnect() throws ConnectException {
		return answer("never");
	}

	@Retryable(policy = "network", retryOn = IllegalStateException.class)
	public String alsoOnIllegalState() {
		if (this.calls.incrementAndGet() <= this.failures) {
			throw new IllegalStateException("not ready");
		}
		return "ready";
	}

	@Retryable(policy = "network", fallback = "cached")
	public String withFallback(String sku) throws ConnectException {
		this.calls.incrementAndGet();
		throw new ConnectException("refused for " + sku);
	}

	String cached(String sku, ConnectException failure) {
		return "cached " + sku + " after " + failure.getMessage();
	}

	/** Calls made so far; a method, so that it reads the target through a proxy. */
	public AtomicInteger calls() {
		return this.calls;
	}

	/** Sets how many calls fail before the service answers. */
	public void failFirst(int failures) {
		this.failures = failures;
	}

	public String notAnnotated() throws ConnectException {
		return answer("not annotated");
	}

	private String answer(String value) throws ConnectException {
		if (this.calls.incrementAndGet() <= this.failures) {
			throw new ConnectException("Connection refused");
		}
		return value;
	}

}
