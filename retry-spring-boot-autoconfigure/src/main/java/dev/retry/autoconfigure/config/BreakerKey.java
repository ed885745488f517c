package dev.retry.autoconfigure.config;

import java.util.function.Function;

import dev.retry.autoconfigure.config.RetryProperties.Breaker;

/** The keys of a circuit breaker, as written under {@code retry.circuit-breakers.<name>}. */
enum BreakerKey {

	FAILURE_THRESHOLD("failure-threshold", Breaker::getFailureThreshold),
	FAILURE_RATE_THRESHOLD("failure-rate-threshold", Breaker::getFailureRateThreshold),
	SLIDING_WINDOW_SIZE("sliding-window-size", Breaker::getSlidingWindowSize),
	MINIMUM_CALLS("minimum-calls", Breaker::getMinimumCalls),
	SLOW_CALL_DURATION("slow-call-duration", Breaker::getSlowCallDuration),
	OPEN_DURATION("open-duration", Breaker::getOpenDuration),
	HALF_OPEN_CALLS("half-open-calls", Breaker::getHalfOpenCalls),
	HALF_OPEN_MAX_WAIT("half-open-max-wait", Breaker::getHalfOpenMaxWait),
	RECORD_ON("record-on", Breaker::getRecordOn),
	IGNORE_ON("ignore-on", Breaker::getIgnoreOn);

	private final String key;

	private final Function<Breaker, Object> read;

	BreakerKey(String key, Function<Breaker, Object> read) {
		this.key = key;
		this.read = read;
	}

	String key() {
		return this.key;
	}

	Object read(Breaker breaker) {
		return this.read.apply(breaker);
	}

}
