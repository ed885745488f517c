package dev.retry.autoconfigure.logging;

import dev.retry.breaker.CircuitBreakerListener;
import dev.retry.breaker.State;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Logs each circuit breaker transition at WARN, with its reason, under the logger
 * {@code dev.retry.CircuitBreaker}:
 * <pre>
 * Circuit breaker 'inventory' closed -> open: 5 consecutive failures, last ConnectException: Connection refused
 * </pre>
 */
public final class CircuitBreakerLogListener implements CircuitBreakerListener {

	/** Name of the logger. */
	public static final String LOGGER = "dev.retry.CircuitBreaker";

	private final Log logger;

	public CircuitBreakerLogListener() {
		this.logger = LogFactory.getLog(LOGGER);
	}

	@Override
	public void onStateChange(String breaker, State from, State to, String reason) {
		this.logger.warn("Circuit breaker '" + breaker + "' " + from.tag() + " -> " + to.tag() + ": " + reason);
	}

}
