package dev.retry.autoconfigure.observation;

import java.time.Duration;
import java.util.Locale;

import dev.retry.event.AttemptResult;
import dev.retry.event.CallObserver;
import dev.retry.event.CallTarget;
import dev.retry.event.Outcome;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

/**
 * Each call of an annotated method as a Micrometer {@link Observation} {@code retry.call}
 * (contextual name {@code retry Class.method}; low-cardinality keys {@code policy}, {@code method},
 * {@code outcome}) and each attempt as its child {@code retry.attempt} (keys {@code attempt},
 * {@code result}, an {@link AttemptResult}), current while the attempt runs so that an HTTP client's observation nests under
 * it. Each wait before a retry is an event {@code retry.wait} on the call, naming the delay, why it
 * is that long and the failure; a call that gives up for its budget or deadline gets an event
 * {@code retry.gave-up}. While an attempt is current, the logging MDC holds {@code retry.method},
 * {@code retry.policy} and {@code retry.attempt} (restored when it ends).
 */
public final class ObservationCallObserver implements CallObserver {

	/** The observation of each call. */
	public static final String CALL = "retry.call";

	/** The observation of each attempt, a child of its call's. */
	public static final String ATTEMPT = "retry.attempt";

	private final ObservationRegistry registry;

	private final @Nullable MdcFields mdc;

	public ObservationCallObserver(ObservationRegistry registry) {
		this.registry = registry;
		this.mdc = MdcFields.ifAvailable();
	}

	/**
	 * Where Micrometer keeps the current observation in a Reactor context
	 * ({@code ObservationThreadLocalAccessor.KEY}, spelled out so that context-propagation need not
	 * be on the class path): WebClient finds its parent there.
	 */
	@Override
	public Object contextKey() {
		return "micrometer.observation";
	}

	@Override
	public Call start(CallTarget target, @Nullable Object parent) {
		Observation call = Observation.createNotStarted(CALL, this.registry)
			.contextualName("retry " + target.name())
			.lowCardinalityKeyValue("policy", target.policy())
			.lowCardinalityKeyValue("method", target.name());
		if (parent instanceof Observation parentObservation) {
			call.parentObservation(parentObservation);
		}
		return new ObservedCall(call.start(), target);
	}

	/**
	 * Makes the observation current until the scope returned closes, with the MDC fields when
	 * given. Micrometer makes a scope current before it tells the handlers, and tells them before it
	 * puts the previous scope back; a handler that throws at either moment would leave the call's
	 * observation current on this thread, the parent of whatever runs next on a pooled thread. So
	 * the scope current before is put back whatever the handlers throw (which then goes on to be
	 * logged).
	 */
	private Scope open(Observation observation, MdcFields.@Nullable Restore mdc) {
		Observation.Scope previous = this.registry.getCurrentObservationScope();
		Observation.Scope scope;
		try {
			scope = observation.openScope();
		}
		catch (RuntimeException ex) {
			this.registry.setCurrentObservationScope(previous);
			if (mdc != null) {
				mdc.run();
			}
			throw ex;
		}
		return () -> {
			if (mdc != null) {
				mdc.run();
			}
			try {
				scope.close();
			}
			catch (RuntimeException ex) {
				this.registry.setCurrentObservationScope(previous);
				throw ex;
			}
		};
	}

	private final class ObservedCall implements Call {

		private final Observation observation;

		private final CallTarget target;

		ObservedCall(Observation observation, CallTarget target) {
			this.observation = observation;
			this.target = target;
		}

		@Override
		public Scope open() {
			return ObservationCallObserver.this.open(this.observation, null);
		}

		@Override
		public ObservedAttempt attempt(int number) {
			Observation attempt = Observation.createNotStarted(ATTEMPT, ObservationCallObserver.this.registry)
				.parentObservation(this.observation)
				.contextualName("retry " + this.target.name() + " attempt " + number)
				.lowCardinalityKeyValue("policy", this.target.policy())
				.lowCardinalityKeyValue("method", this.target.name())
				.lowCardinalityKeyValue("attempt", Integer.toString(number))
				.start();
			return new Attempt(attempt, this.target, number);
		}

		@Override
		public void waiting(int nextAttempt, Duration delay, Throwable failure, String reason) {
			this.observation.event(Observation.Event.of("retry.wait",
					String.format(Locale.ROOT, "attempt %d in %.2fs (%s) after %s", nextAttempt,
							delay.toNanos() / 1e9, reason, failure.getClass().getName())));
		}

		@Override
		public void end(Outcome outcome, int attempts, @Nullable Throwable failure) {
			if (outcome == Outcome.BUDGET_EXHAUSTED || outcome == Outcome.DEADLINE_EXCEEDED) {
				this.observation.event(Observation.Event.of("retry.gave-up", "gave up: " + outcome.tag()));
			}
			if (failure != null && outcome != Outcome.SUCCESS && outcome != Outcome.SUCCESS_AFTER_RETRY) {
				this.observation.error(failure);
			}
			this.observation.lowCardinalityKeyValue("outcome", outcome.tag())
				.highCardinalityKeyValue("attempts", Integer.toString(attempts))
				.stop();
		}

		@Override
		public void cancelled(int attempts) {
			this.observation.lowCardinalityKeyValue("outcome", "cancelled")
				.highCardinalityKeyValue("attempts", Integer.toString(attempts))
				.stop();
		}

	}

	private final class Attempt implements ObservedAttempt {

		private final Observation observation;

		private final CallTarget target;

		private final int number;

		Attempt(Observation observation, CallTarget target, int number) {
			this.observation = observation;
			this.target = target;
			this.number = number;
		}

		@Override
		public Scope open() {
			MdcFields mdc = ObservationCallObserver.this.mdc;
			return ObservationCallObserver.this.open(this.observation,
					(mdc != null) ? mdc.put(this.target, this.number) : null);
		}

		@Override
		public void end(@Nullable Throwable failure) {
			if (failure != null) {
				this.observation.error(failure);
			}
			this.observation.lowCardinalityKeyValue("result", AttemptResult.of(failure).tag()).stop();
		}

		@Override
		public Object contextValue() {
			return this.observation;
		}

	}

}
