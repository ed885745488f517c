package dev.retry.autoconfigure.observation;

import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.observation.MeterObservationHandler;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationHandler.AllMatchingCompositeObservationHandler;
import io.micrometer.observation.ObservationHandler.CompositeObservationHandler;
import io.micrometer.observation.ObservationHandler.FirstMatchingCompositeObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.util.ClassUtils;

/**
 * Where the observations of annotated methods go: the application's observation configuration
 * without its {@link MeterObservationHandler}s. Spring Boot configures it as it configures the
 * application's own registry (its handler groups, predicates, conventions, filters and
 * customizers); only the meter handlers are left out, since {@code retry.calls} and
 * {@code retry.attempts} already count every call and attempt, and timing each observation again
 * costs more than the call. So a tracer still gets a span per call and attempt; an application
 * with metrics alone gets no observation at all. Current observations are the application's: an
 * observation started here is the parent of one its HTTP client starts in the application's.
 */
final class RetryObservationRegistry implements ObservationRegistry {

	private static final boolean METERS = ClassUtils.isPresent(
			"io.micrometer.core.instrument.observation.MeterObservationHandler",
			RetryObservationRegistry.class.getClassLoader());

	static final boolean TRACING = ClassUtils.isPresent("io.micrometer.tracing.handler.TracingObservationHandler",
			RetryObservationRegistry.class.getClassLoader());

	private final ObservationRegistry application;

	private final WithoutMeters config = new WithoutMeters();

	RetryObservationRegistry(ObservationRegistry application) {
		this.application = application;
	}

	@Override
	public @Nullable Observation getCurrentObservation() {
		return this.application.getCurrentObservation();
	}

	@Override
	public Observation.@Nullable Scope getCurrentObservationScope() {
		return this.application.getCurrentObservationScope();
	}

	@Override
	public void setCurrentObservationScope(Observation.@Nullable Scope current) {
		this.application.setCurrentObservationScope(current);
	}

	@Override
	public ObservationConfig observationConfig() {
		return this.config;
	}

	/** Whether no handler is left: nothing would see an observation. */
	@Override
	public boolean isNoop() {
		return this.config.kept.isEmpty();
	}

	/**
	 * Whether every handler left is a tracing handler: then an observation whose trace is not
	 * recorded is of use to no one.
	 */
	boolean tracesOnly() {
		return !this.config.kept.isEmpty() && this.config.kept.stream().allMatch(RetryObservationRegistry::tracing);
	}

	private static boolean tracing(ObservationHandler<?> handler) {
		if (handler instanceof CompositeObservationHandler composite) {
			return composite.getHandlers().stream().allMatch(RetryObservationRegistry::tracing);
		}
		return TRACING && Traces.isTracing(handler);
	}

	/** The handler without the meter handlers in it (or {@code null} when nothing is left). */
	static @Nullable ObservationHandler<?> withoutMeters(ObservationHandler<?> handler) {
		if (METERS && handler instanceof MeterObservationHandler) {
			return null;
		}
		if (TRACING && Traces.isWithoutTracer(handler)) {
			// Micrometer Tracing without a tracer: spans nobody records.
			return null;
		}
		if (handler instanceof FirstMatchingCompositeObservationHandler composite) {
			List<ObservationHandler<Observation.Context>> kept = kept(composite.getHandlers());
			return (kept == null) ? handler : kept.isEmpty() ? null : new FirstMatchingCompositeObservationHandler(kept);
		}
		if (handler instanceof AllMatchingCompositeObservationHandler composite) {
			List<ObservationHandler<Observation.Context>> kept = kept(composite.getHandlers());
			return (kept == null) ? handler : kept.isEmpty() ? null : new AllMatchingCompositeObservationHandler(kept);
		}
		return handler;
	}

	/** The handlers without meter handlers, or {@code null} when all are kept as they are. */
	@SuppressWarnings("unchecked")
	private static @Nullable List<ObservationHandler<Observation.Context>> kept(
			List<ObservationHandler<Observation.Context>> handlers) {
		List<ObservationHandler<Observation.Context>> kept = new ArrayList<>(handlers.size());
		boolean changed = false;
		for (ObservationHandler<Observation.Context> handler : handlers) {
			ObservationHandler<?> without = withoutMeters(handler);
			changed |= without != handler;
			if (without != null) {
				kept.add((ObservationHandler<Observation.Context>) without);
			}
		}
		return changed ? kept : null;
	}

	/** Takes every handler but meter handlers. */
	private static final class WithoutMeters extends ObservationConfig {

		private final List<ObservationHandler<?>> kept = new ArrayList<>();

		@Override
		public ObservationConfig observationHandler(ObservationHandler<?> handler) {
			ObservationHandler<?> kept = withoutMeters(handler);
			if (kept != null) {
				this.kept.add(kept);
				super.observationHandler(kept);
			}
			return this;
		}

	}

}
