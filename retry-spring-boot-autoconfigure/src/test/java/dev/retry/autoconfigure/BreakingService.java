package dev.retry.autoconfigure;

import java.net.ConnectException;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.CircuitBreakerOpenException;
import dev.retry.annotation.CircuitBreaker;
import dev.retry.annotation.Retryable;

/**
 * A downstream that refuses connections while {@link #down(boolean) down}, behind the breaker
 * {@code inventory}; counts the calls that reached it.
 */
public class BreakingService {

	final AtomicInteger reached = new AtomicInteger();

	volatile boolean down = true;

	@CircuitBreaker("inventory")
	public String breakerOnly() throws ConnectException {
		return answer("breaker");
	}

	@CircuitBreaker(name = "inventory")
	public String sameBreakerElsewhere() throws ConnectException {
		return answer("elsewhere");
	}

	@Retryable(policy = "network")
	@CircuitBreaker(name = "inventory")
	public String retriedThroughBreaker() throws ConnectException {
		return answer("retried");
	}

	@CircuitBreaker(name = "inventory", fallback = "cached")
	public String withFallback(String sku) throws ConnectException {
		return answer(sku);
	}

	@Retryable(policy = "network", fallback = "cached")
	@CircuitBreaker(name = "inventory")
	public String retriedWithFallback(String sku) throws ConnectException {
		return answer(sku);
	}

	String cached(String sku, Exception failure) {
		return "cached " + sku + " (" + ((failure instanceof CircuitBreakerOpenException) ? "rejected" : "failed") + ")";
	}

	private String answer(String value) throws ConnectException {
		this.reached.incrementAndGet();
		if (this.down) {
			throw new ConnectException("Connection refused");
		}
		return value;
	}

	/** Calls that reached the downstream; a method, so it reads the target through the proxy. */
	public int reached() {
		return this.reached.get();
	}

	public void down(boolean down) {
		this.down = down;
	}

}
