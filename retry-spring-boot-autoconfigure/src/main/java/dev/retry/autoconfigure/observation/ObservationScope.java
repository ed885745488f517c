package dev.retry.autoconfigure.observation;

import dev.retry.event.CallObserver;
import dev.retry.event.CallTarget;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

/**
 * An observation made current on this thread (with an attempt's MDC fields), undone in full even
 * when a handler throws. Micrometer makes a scope current before it tells the handlers, and puts
 * the previous one back only after telling them again on close: a handler that throws in either
 * leaves the observation current on the thread, so that the thread's next task (a pooled thread's)
 * would nest under an observation that ended. Here what was current before comes back whatever the
 * handlers do.
 */
final class ObservationScope implements CallObserver.Scope {

	private final ObservationRegistry registry;

	private final Observation.@Nullable Scope previous;

	private final Observation.Scope scope;

	private final MdcFields.@Nullable Restore fields;

	private ObservationScope(ObservationRegistry registry, Observation.@Nullable Scope previous,
			Observation.Scope scope, MdcFields.@Nullable Restore fields) {
		this.registry = registry;
		this.previous = previous;
		this.scope = scope;
		this.fields = fields;
	}

	/** Makes {@code observation} current, without MDC fields. */
	static CallObserver.Scope open(ObservationRegistry registry, Observation observation) {
		return open(registry, observation, null, null, 0);
	}

	/**
	 * Makes {@code observation} current and, when {@code mdc} is given, puts attempt
	 * {@code attempt} of {@code target} in the MDC; when a handler throws, nothing stays current
	 * and the failure goes on to the caller (which logs it).
	 */
	static CallObserver.Scope open(ObservationRegistry registry, Observation observation, @Nullable MdcFields mdc,
			@Nullable CallTarget target, int attempt) {
		Observation.Scope previous = registry.getCurrentObservationScope();
		Observation.Scope scope;
		try {
			scope = observation.openScope();
		}
		catch (RuntimeException | Error ex) {
			undo(registry, previous, observation);
			throw ex;
		}
		MdcFields.Restore fields = (mdc != null && target != null) ? mdc.put(target, attempt) : null;
		return new ObservationScope(registry, previous, scope, fields);
	}

	/** A scope that failed to open: closes what Micrometer made current, then puts the previous one back. */
	private static void undo(ObservationRegistry registry, Observation.@Nullable Scope previous,
			Observation observation) {
		Observation.Scope leaked = registry.getCurrentObservationScope();
		try {
			if (leaked != null && leaked != previous && leaked.getCurrentObservation() == observation) {
				// Tells the handlers that did open (a tracer's scope of its span) to close.
				leaked.close();
			}
		}
		catch (RuntimeException | Error ignored) {
			// The handler failed already; the open's failure is the one reported.
		}
		finally {
			registry.setCurrentObservationScope(previous);
		}
	}

	@Override
	public void close() {
		try {
			if (this.fields != null) {
				this.fields.run();
			}
		}
		finally {
			try {
				this.scope.close();
			}
			catch (RuntimeException | Error ex) {
				// Micrometer stopped telling the handlers: a tracer not yet told would keep the span current.
				Observation observation = this.scope.getCurrentObservation();
				if (RetryObservationRegistry.TRACING && observation != null) {
					Traces.closeSpanScope(observation);
				}
				throw ex;
			}
			finally {
				if (this.registry.getCurrentObservationScope() != this.previous) {
					// A handler threw while told of the close: what was current before comes back anyway.
					this.registry.setCurrentObservationScope(this.previous);
				}
			}
		}
	}

}
