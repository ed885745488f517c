package dev.retry.breaker;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Locale;

import dev.retry.internal.Redaction;
import org.jspecify.annotations.Nullable;

/**
 * The closed state and its counting: failures in a row, and the sliding window the failure and
 * slow-call rates are read from. Each record answers why the breaker should open now, or
 * {@code null}; the breaker makes the transition. A successful call in a closed breaker whose
 * counts are all well touches two plain fields here and allocates nothing.
 */
final class ClosedPhase extends CircuitBreaker.Phase {

	private static final VarHandle CONSECUTIVE;

	static {
		try {
			CONSECUTIVE = MethodHandles.lookup().findVarHandle(ClosedPhase.class, "consecutive", int.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	/** Failures since the last success; a plain volatile field, read by every successful call. */
	volatile int consecutive;

	/**
	 * Outcomes for the rate rule, or {@code null} without one; replaced (not the phase) when the
	 * breaker is re-tuned, so that calls in flight still count.
	 */
	private volatile @Nullable SlidingWindow window;

	/** A closed state with fresh counts for {@code config}. */
	ClosedPhase(CircuitBreakerConfig config) {
		super(State.CLOSED);
		this.window = (config.getFailureRateThreshold() > 0) ? new SlidingWindow(config.getSlidingWindowSize())
				: null;
	}

	/**
	 * Counts a successful call, slow when it took slow-call-duration or longer.
	 * @return why the breaker opens now (the slow calls' share of the window), or {@code null}
	 */
	@Nullable String succeeded(boolean slow, Tuning tuning) {
		if (this.consecutive != 0) {
			this.consecutive = 0;
		}
		SlidingWindow window = this.window;
		if (window != null) {
			window.record(slow);
			if (slow) {
				return rateExceeded(window, tuning.config, null);
			}
		}
		return null;
	}

	/**
	 * Counts a failure that counts against the breaker.
	 * @return why the breaker opens now (failures in a row, or the failure rate), or {@code null}
	 */
	@Nullable String failed(Throwable failure, Tuning tuning) {
		CircuitBreakerConfig config = tuning.config;
		int inARow = (int) CONSECUTIVE.getAndAdd(this, 1) + 1;
		int threshold = config.getFailureThreshold();
		if (threshold > 0 && inARow >= threshold) {
			return inARow + " consecutive failures, last " + Redaction.describe(failure);
		}
		SlidingWindow window = this.window;
		if (window != null) {
			window.record(true);
			return rateExceeded(window, config, failure);
		}
		return null;
	}

	private static @Nullable String rateExceeded(SlidingWindow window, CircuitBreakerConfig config,
			@Nullable Throwable failure) {
		float rate = window.failureRate(config.getMinimumCalls());
		if (rate < config.getFailureRateThreshold()) {
			return null;
		}
		return String.format(Locale.ROOT, "failure rate %.1f%% over the last %d calls >= %d%%", rate, window.calls(),
				config.getFailureRateThreshold())
				+ ((failure != null) ? ", last " + Redaction.describe(failure) : " (slow calls)");
	}

	/** Failure rate in percent over the window, or -1 when there is no rate rule or too few calls. */
	float failureRate(int minimumCalls) {
		SlidingWindow window = this.window;
		return (window != null) ? window.failureRate(minimumCalls) : -1f;
	}

	/** The window a new configuration asks for, keeping the most recent outcomes that fit. */
	synchronized void resize(CircuitBreakerConfig config) {
		SlidingWindow current = this.window;
		if (config.getFailureRateThreshold() <= 0) {
			this.window = null;
		}
		else if (current == null) {
			this.window = new SlidingWindow(config.getSlidingWindowSize());
		}
		else if (current.size() != config.getSlidingWindowSize()) {
			this.window = current.resized(config.getSlidingWindowSize());
		}
	}

}
