package dev.retry.breaker;

/**
 * Told when a circuit breaker changes state. Called on the thread that caused the change; an
 * exception thrown here is swallowed and never fails a call.
 */
@FunctionalInterface
public interface CircuitBreakerListener {

	/**
	 * @param breaker the breaker's name
	 * @param from the state it left
	 * @param to the state it entered
	 * @param reason why, in words, such as {@code "5 consecutive failures, last ConnectException: refused"}
	 */
	void onStateChange(String breaker, State from, State to, String reason);

}
