package dev.retry.autoconfigure.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.retry.event.AttemptResult;
import dev.retry.event.CallTarget;
import dev.retry.event.Outcome;
import dev.retry.event.RetryListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;

import static dev.retry.autoconfigure.metrics.RetryMeterNames.RETRY_ATTEMPTS;
import static dev.retry.autoconfigure.metrics.RetryMeterNames.RETRY_ATTEMPTS_DESCRIPTION;
import static dev.retry.autoconfigure.metrics.RetryMeterNames.RETRY_CALLS;
import static dev.retry.autoconfigure.metrics.RetryMeterNames.RETRY_CALLS_DESCRIPTION;
import static dev.retry.autoconfigure.metrics.RetryMeterNames.RETRY_HEDGES;
import static dev.retry.autoconfigure.metrics.RetryMeterNames.RETRY_HEDGES_DESCRIPTION;
import static dev.retry.autoconfigure.metrics.RetryMeterNames.TAG_METHOD;
import static dev.retry.autoconfigure.metrics.RetryMeterNames.TAG_OUTCOME;
import static dev.retry.autoconfigure.metrics.RetryMeterNames.TAG_POLICY;
import static dev.retry.autoconfigure.metrics.RetryMeterNames.TAG_RESULT;

/**
 * Counts {@code retry.calls}, {@code retry.attempts} (result {@code success}, {@code failure},
 * {@code timeout} or {@code rejected_result}) and {@code retry.hedges} (result {@code won} or {@code lost}). Every counter of
 * a method is registered once, when its first executor is built, so recording is an increment: no
 * look-up, no allocation; a successful call is one increment (its successful attempt is counted
 * from the successful calls). A failure to record never fails the call.
 */
public final class RetryMetricsListener implements RetryListener {

	private final MeterRegistry registry;

	/**
	 * The meters of each method, made once: a method planned anew (its policy re-tuned at runtime)
	 * and overloads sharing a name keep the meters they have, instead of registering them again.
	 */
	private final Map<CallTarget, MethodMeters> meters = new ConcurrentHashMap<>();

	public RetryMetricsListener(MeterRegistry registry) {
		this.registry = registry;
	}

	@Override
	public RetryListener forTarget(CallTarget target) {
		return this.meters.computeIfAbsent(target, this::register);
	}

	private MethodMeters register(CallTarget target) {
		Outcome[] outcomes = Outcome.values();
		Counter[] calls = new Counter[outcomes.length];
		for (Outcome outcome : outcomes) {
			calls[outcome.ordinal()] = Counter.builder(RETRY_CALLS)
				.description(RETRY_CALLS_DESCRIPTION)
				.tag(TAG_POLICY, target.policy())
				.tag(TAG_METHOD, target.name())
				.tag(TAG_OUTCOME, outcome.tag())
				.register(this.registry);
		}
		// Every successful call has exactly one successful attempt (hedges included: one answer wins),
		// so that count is read from the call counters instead of being a second increment per call.
		Counter firstTry = calls[Outcome.SUCCESS.ordinal()];
		Counter afterRetry = calls[Outcome.SUCCESS_AFTER_RETRY.ordinal()];
		FunctionCounter.builder(RETRY_ATTEMPTS, calls, (counters) -> firstTry.count() + afterRetry.count())
			.description(RETRY_ATTEMPTS_DESCRIPTION)
			.tag(TAG_POLICY, target.policy())
			.tag(TAG_METHOD, target.name())
			.tag(TAG_RESULT, AttemptResult.SUCCESS.tag())
			.register(this.registry);
		return new MethodMeters(calls, attempts(target, AttemptResult.FAILURE),
				attempts(target, AttemptResult.TIMEOUT), attempts(target, AttemptResult.REJECTED_RESULT),
				hedges(target, "won"), hedges(target, "lost"));
	}

	private Counter attempts(CallTarget target, AttemptResult result) {
		return counter(RETRY_ATTEMPTS, RETRY_ATTEMPTS_DESCRIPTION, target, result.tag());
	}

	private Counter hedges(CallTarget target, String result) {
		return counter(RETRY_HEDGES, RETRY_HEDGES_DESCRIPTION, target, result);
	}

	/** A per-method counter tagged with its policy, method and result. */
	private Counter counter(String name, String description, CallTarget target, String result) {
		return Counter.builder(name)
			.description(description)
			.tag(TAG_POLICY, target.policy())
			.tag(TAG_METHOD, target.name())
			.tag(TAG_RESULT, result)
			.register(this.registry);
	}

	private record MethodMeters(Counter[] calls, Counter failedAttempts,
			Counter timedOutAttempts, Counter rejectedResults, Counter hedgesWon, Counter hedgesLost)
			implements RetryListener {

		@Override
		public void onAttemptFailed(CallTarget target, int attempt, Throwable failure) {
			try {
				Counter counter = switch (AttemptResult.of(failure)) {
					case TIMEOUT -> this.timedOutAttempts;
					case REJECTED_RESULT -> this.rejectedResults;
					// Any other failure, a cancelled attempt included.
					default -> this.failedAttempts;
				};
				counter.increment();
			}
			catch (RuntimeException ex) {
				// Recording a metric never breaks a call.
			}
		}

		@Override
		public void onHedgeEnded(CallTarget target, boolean won) {
			try {
				(won ? this.hedgesWon : this.hedgesLost).increment();
			}
			catch (RuntimeException ex) {
				// Recording a metric never breaks a call.
			}
		}

		@Override
		public void onCompleted(CallTarget target, Outcome outcome, int attempts, @Nullable Throwable failure) {
			try {
				this.calls[outcome.ordinal()].increment();
			}
			catch (RuntimeException ex) {
				// Recording a metric never breaks a call.
			}
		}

	}

}
