package dev.retry.autoconfigure.observation;

import java.time.Duration;
import java.util.Locale;

import dev.retry.event.AttemptResult;
import dev.retry.event.CallObserver;
import dev.retry.event.CallTarget;
import dev.retry.event.Outcome;
import io.micrometer.common.KeyValue;
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
 * {@code retry.gave-up}. While an attempt of an observed call runs, and during every retry of any
 * call, the logging MDC holds {@code retry.method}, {@code retry.policy} and {@code retry.attempt}
 * (restored when it ends).
 *
 * <p>Calls are observed only where something records them: not at all when the registry has no
 * handler (then only retries are followed, for their MDC fields), and, when every handler is a
 * tracing handler, not in a trace its sampler dropped (a call whose own span is not recorded
 * makes no attempt observations). An attempt that has no observation of its own (its call's trace
 * is not recorded, or attempt observations are turned off) leaves its call current while it runs,
 * and the retries of an asynchronous call in a trace nobody records leave what the call was part
 * of current: either way what the attempt does (an HTTP client's request) stays in the call's
 * trace and is not recorded as a trace of its own.
 */
public final class ObservationCallObserver implements CallObserver {

	/** The observation of each call. */
	public static final String CALL = "retry.call";

	/** The observation of each attempt, a child of its call's. */
	public static final String ATTEMPT = "retry.attempt";

	private static final Scope NO_SCOPE = () -> {
	};

	private final ObservationRegistry registry;

	private final boolean followsEveryCall;

	/** Whether every handler is a tracing handler: a call in a trace nobody records is left alone. */
	private final boolean recordedTracesOnly;

	private final @Nullable MdcFields mdc;

	/** Observes every call in {@code registry} as it is (unless it has no handler). */
	public ObservationCallObserver(ObservationRegistry registry) {
		this(registry, !registry.isNoop(), false);
	}

	ObservationCallObserver(ObservationRegistry registry, boolean followsEveryCall, boolean recordedTracesOnly) {
		this.registry = registry;
		this.followsEveryCall = followsEveryCall;
		this.recordedTracesOnly = recordedTracesOnly && RetryObservationRegistry.TRACING;
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
	public boolean followsEveryCall() {
		return this.followsEveryCall;
	}

	/** The names and key values of one method, resolved once. */
	@Override
	public CallObserver forTarget(CallTarget target) {
		return new ForTarget(target);
	}

	@Override
	public @Nullable Call start(CallTarget target, @Nullable Object parent) {
		return new ForTarget(target).start(target, parent);
	}

	@Override
	public @Nullable Call retrying(CallTarget target) {
		return new ForTarget(target).retrying(target);
	}

	/** The observer of one method. */
	private final class ForTarget implements CallObserver {

		private final CallTarget target;

		private final String contextualName;

		private final KeyValue policy;

		private final KeyValue method;

		/** Attempt numbers and their contextual names, made as attempts first reach them. */
		private volatile String[] attemptNames = new String[0];

		ForTarget(CallTarget target) {
			this.target = target;
			this.contextualName = "retry " + target.name();
			this.policy = KeyValue.of("policy", target.policy());
			this.method = KeyValue.of("method", target.name());
		}

		@Override
		public Object contextKey() {
			return ObservationCallObserver.this.contextKey();
		}

		@Override
		public boolean followsEveryCall() {
			return ObservationCallObserver.this.followsEveryCall;
		}

		@Override
		public @Nullable Call start(CallTarget target, @Nullable Object parent) {
			return start(parent, false);
		}

		@Override
		public @Nullable Call startAsync(CallTarget target, @Nullable Object parent) {
			return start(parent, true);
		}

		private @Nullable Call start(@Nullable Object parent, boolean async) {
			Observation parentObservation = (parent instanceof Observation observation) ? observation : null;
			boolean tracesOnly = ObservationCallObserver.this.recordedTracesOnly;
			if (tracesOnly) {
				Observation enclosing = (parentObservation != null) ? parentObservation
						: ObservationCallObserver.this.registry.getCurrentObservation();
				if (enclosing != null && !Traces.recorded(enclosing)) {
					// Part of a trace nobody records: so would be this call. A synchronous call's attempts
					// run here, where that trace stays current (its retries get their fields); an
					// asynchronous call's retries run elsewhere, where it must be made current.
					return async ? new InUnrecordedTrace(enclosing, this) : null;
				}
			}
			Observation call = Observation.createNotStarted(CALL, ObservationCallObserver.this.registry)
				.contextualName(this.contextualName)
				.lowCardinalityKeyValue(this.policy)
				.lowCardinalityKeyValue(this.method);
			if (parentObservation != null) {
				call.parentObservation(parentObservation);
			}
			call.start();
			// A call that starts a trace its sampler drops is followed without attempt observations.
			return new ObservedCall(call, this, !tracesOnly || Traces.recorded(call));
		}

		@Override
		public @Nullable Call retrying(CallTarget target) {
			return (ObservationCallObserver.this.mdc != null) ? new RetriesOnly(this) : null;
		}

		String attemptName(int number) {
			String[] names = this.attemptNames;
			if (number < names.length) {
				return names[number];
			}
			String[] more = new String[Math.max(number + 1, 4)];
			for (int i = 1; i < more.length; i++) {
				more[i] = (i < names.length) ? names[i] : this.contextualName + " attempt " + i;
			}
			this.attemptNames = more;
			return more[number];
		}

		ObservedAttempt fieldsOnly(int number) {
			MdcFields mdc = ObservationCallObserver.this.mdc;
			return (mdc != null) ? new FieldsOnly(mdc, this.target, number) : FieldsOnly.NONE;
		}

	}

	private final class ObservedCall implements Call {

		private final Observation observation;

		private final ForTarget target;

		/** Whether its trace is recorded: attempts are observed only then. */
		private final boolean recorded;

		ObservedCall(Observation observation, ForTarget target, boolean recorded) {
			this.observation = observation;
			this.target = target;
			this.recorded = recorded;
		}

		@Override
		public Scope open() {
			return ObservationScope.open(ObservationCallObserver.this.registry, this.observation);
		}

		@Override
		public ObservedAttempt attempt(int number) {
			if (!this.recorded) {
				// Its trace is dropped: what the attempt does stays in it, under the call.
				return new Current(this.observation, ObservationCallObserver.this.mdc, this.target.target, number);
			}
			Observation attempt = Observation.createNotStarted(ATTEMPT, ObservationCallObserver.this.registry)
				.parentObservation(this.observation)
				.contextualName(this.target.attemptName(number))
				.lowCardinalityKeyValue(this.target.policy)
				.lowCardinalityKeyValue(this.target.method)
				.lowCardinalityKeyValue("attempt", Integer.toString(number))
				.start();
			if (attempt.isNoop()) {
				// Attempt observations turned off (an ObservationPredicate): the call holds what the attempt does.
				return new Current(this.observation, ObservationCallObserver.this.mdc, this.target.target, number);
			}
			return new Attempt(attempt, this.target.target, number);
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
			return ObservationScope.open(ObservationCallObserver.this.registry, this.observation,
					ObservationCallObserver.this.mdc, this.target, this.number);
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

	/**
	 * An attempt without an observation of its own: {@code current} (its call, or what the call is
	 * part of) is current while it runs, with the attempt's MDC fields when {@code mdc} is given,
	 * and is what its Reactor subscription carries.
	 */
	private final class Current implements ObservedAttempt {

		private final Observation current;

		private final @Nullable MdcFields mdc;

		private final CallTarget target;

		private final int number;

		Current(Observation current, @Nullable MdcFields mdc, CallTarget target, int number) {
			this.current = current;
			this.mdc = mdc;
			this.target = target;
			this.number = number;
		}

		@Override
		public Scope open() {
			return ObservationScope.open(ObservationCallObserver.this.registry, this.current, this.mdc, this.target,
					this.number);
		}

		@Override
		public void end(@Nullable Throwable failure) {
		}

		@Override
		public Object contextValue() {
			return this.current;
		}

	}

	/**
	 * An asynchronous call in a trace nobody records, not observed: what it is part of is current
	 * during each of its attempts, wherever they run, so that what they do stays in that trace;
	 * its retries (attempt 2 on) have their MDC fields.
	 */
	private final class InUnrecordedTrace implements Call {

		private final Observation enclosing;

		private final ForTarget target;

		InUnrecordedTrace(Observation enclosing, ForTarget target) {
			this.enclosing = enclosing;
			this.target = target;
		}

		@Override
		public Scope open() {
			return ObservationScope.open(ObservationCallObserver.this.registry, this.enclosing);
		}

		@Override
		public ObservedAttempt attempt(int number) {
			return new Current(this.enclosing, (number > 1) ? ObservationCallObserver.this.mdc : null,
					this.target.target, number);
		}

		@Override
		public void waiting(int nextAttempt, Duration delay, Throwable failure, String reason) {
		}

		@Override
		public void end(Outcome outcome, int attempts, @Nullable Throwable failure) {
		}

		@Override
		public void cancelled(int attempts) {
		}

	}

	/** The retries of a call that is not observed: each attempt's MDC fields, nothing else. */
	private static final class RetriesOnly implements Call {

		private final ForTarget target;

		RetriesOnly(ForTarget target) {
			this.target = target;
		}

		@Override
		public Scope open() {
			return NO_SCOPE;
		}

		@Override
		public ObservedAttempt attempt(int number) {
			return this.target.fieldsOnly(number);
		}

		@Override
		public void waiting(int nextAttempt, Duration delay, Throwable failure, String reason) {
		}

		@Override
		public void end(Outcome outcome, int attempts, @Nullable Throwable failure) {
		}

		@Override
		public void cancelled(int attempts) {
		}

	}

	/** An attempt with its MDC fields and no observation. */
	private static final class FieldsOnly implements ObservedAttempt {

		static final ObservedAttempt NONE = new ObservedAttempt() {

			@Override
			public Scope open() {
				return NO_SCOPE;
			}

			@Override
			public void end(@Nullable Throwable failure) {
			}

		};

		private final MdcFields mdc;

		private final CallTarget target;

		private final int number;

		FieldsOnly(MdcFields mdc, CallTarget target, int number) {
			this.mdc = mdc;
			this.target = target;
			this.number = number;
		}

		@Override
		public Scope open() {
			return this.mdc.put(this.target, this.number)::run;
		}

		@Override
		public void end(@Nullable Throwable failure) {
		}

	}

}
