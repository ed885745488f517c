package dev.retry.autoconfigure.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.tracing.CurrentTraceContext;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.handler.TracingObservationHandler;
import org.jspecify.annotations.Nullable;

/** What Micrometer Tracing knows of handlers and observations; used only when it is on the class path. */
final class Traces {

	private Traces() {
	}

	static boolean isTracing(ObservationHandler<?> handler) {
		return handler instanceof TracingObservationHandler;
	}

	/** A tracing handler without a tracer (Micrometer Tracing with no bridge): its spans go nowhere. */
	static boolean isWithoutTracer(ObservationHandler<?> handler) {
		return handler instanceof TracingObservationHandler<?> tracing && tracing.getTracer() == Tracer.NOOP;
	}

	/**
	 * Closes the scope in which a tracing handler made the observation's span current, when a
	 * handler's failure kept it from being told that the observation's scope closed (closing a
	 * tracer's scope that is closed already does nothing).
	 */
	static void closeSpanScope(Observation observation) {
		TracingObservationHandler.TracingContext tracing = observation.getContextView()
			.get(TracingObservationHandler.TracingContext.class);
		CurrentTraceContext.Scope scope = (tracing != null) ? tracing.getScope() : null;
		if (scope != null) {
			scope.close();
		}
	}

	/**
	 * Whether what the observation is part of may be recorded: {@code false} only when it carries a
	 * span that is not (its trace was not sampled), which every span under it inherits.
	 */
	static boolean recorded(@Nullable Observation observation) {
		if (observation == null) {
			return true;
		}
		TracingObservationHandler.TracingContext tracing = observation.getContextView()
			.get(TracingObservationHandler.TracingContext.class);
		Span span = (tracing != null) ? tracing.getSpan() : null;
		return span == null || !span.isNoop();
	}

}
