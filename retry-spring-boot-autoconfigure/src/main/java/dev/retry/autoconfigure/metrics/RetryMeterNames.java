package dev.retry.autoconfigure.metrics;

/** The names, tags and descriptions of every meter this library publishes, in one place. */
public final class RetryMeterNames {

	public static final String RETRY_CALLS = "retry.calls";

	public static final String RETRY_CALLS_DESCRIPTION = "Calls of a @Retryable method, by how they ended";

	public static final String RETRY_ATTEMPTS = "retry.attempts";

	public static final String RETRY_ATTEMPTS_DESCRIPTION = "Attempts made by @Retryable methods, the first included";

	public static final String RETRY_HEDGES = "retry.hedges";

	public static final String RETRY_HEDGES_DESCRIPTION = "Hedges started beside slow attempts, by whether their answer was used";

	public static final String BREAKER_STATE = "circuitbreaker.state";

	public static final String BREAKER_STATE_DESCRIPTION = "1 on the circuit breaker's current state, 0 on the others";

	public static final String BREAKER_CALLS = "circuitbreaker.calls";

	public static final String BREAKER_CALLS_DESCRIPTION = "Calls through a circuit breaker, by how it counted them";

	public static final String BREAKER_TRANSITIONS = "circuitbreaker.transitions";

	public static final String BREAKER_TRANSITIONS_DESCRIPTION = "State changes of a circuit breaker";

	public static final String TAG_POLICY = "policy";

	public static final String TAG_METHOD = "method";

	public static final String TAG_OUTCOME = "outcome";

	public static final String TAG_RESULT = "result";

	/** Gauge: 1 while the fleet's Redis answers, 0 while not; tag {@code fleet}. */
	public static final String FLEET_LINK = "retry.fleet.link";

	public static final String TAG_NAME = "name";

	public static final String TAG_STATE = "state";

	public static final String TAG_FROM = "from";

	public static final String TAG_TO = "to";

	private RetryMeterNames() {
	}

}
