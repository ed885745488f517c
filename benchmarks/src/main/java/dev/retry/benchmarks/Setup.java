package dev.retry.benchmarks;

import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micrometer.tracing.Tracer;
import io.opentelemetry.sdk.trace.samplers.Sampler;

import org.springframework.context.ApplicationContext;

/**
 * The configurations a contender is measured in, one Spring Boot context each, all from the same
 * class path (the actuator, Prometheus and OpenTelemetry tracing are on it; a setup without one
 * leaves its auto-configuration out).
 */
enum Setup {

	/** No meter registry, no observation registry, no tracer: the laboratory floor. */
	LAB(Map.of("spring.autoconfigure.exclude", String.join(",", Names.OBSERVATION, Names.METRICS, Names.TRACING))),

	/** The actuator with a Prometheus registry, default properties, no tracer: where most users run it. */
	METRICS(Map.of("spring.autoconfigure.exclude", Names.TRACING, "management.observations.annotations.enabled",
			"true")),

	/** The same with OpenTelemetry tracing (Micrometer Tracing's bridge, no exporter), every call sampled. */
	TRACED(Map.of("management.tracing.sampling.probability", "1.0", "management.observations.annotations.enabled",
			"true")),

	/** The same at Spring Boot's default sampling probability (0.1): most calls are in no recorded trace. */
	TRACED_DEFAULT(Map.of("management.observations.annotations.enabled", "true"));

	private final Map<String, Object> properties;

	Setup(Map<String, Object> properties) {
		this.properties = properties;
	}

	Map<String, Object> properties() {
		return this.properties;
	}

	/** Whether Spring's {@code @Observed} is in the context (it needs an observation registry). */
	boolean observes() {
		return this != LAB;
	}

	/** Guards the comparison: the context really is what this setup says it is. */
	void check(ApplicationContext context) {
		boolean observations = context.getBeanNamesForType(ObservationRegistry.class).length > 0;
		boolean meters = context.getBeanNamesForType(MeterRegistry.class).length > 0;
		boolean prometheus = context.getBeanNamesForType(PrometheusMeterRegistry.class).length > 0;
		boolean tracer = context.getBeanNamesForType(Tracer.class).length > 0;
		boolean expected = switch (this) {
			case LAB -> !observations && !meters && !tracer;
			case METRICS -> observations && prometheus && !tracer;
			case TRACED, TRACED_DEFAULT -> observations && prometheus && tracer
					&& context.getBean(Sampler.class).getDescription().contains(probability());
		};
		if (!expected) {
			throw new IllegalStateException(this + " is not what it should be: observation registry " + observations
					+ ", meter registry " + meters + " (Prometheus " + prometheus + "), tracer " + tracer
					+ ((tracer) ? ", sampler " + context.getBean(Sampler.class).getDescription() : ""));
		}
	}

	private String probability() {
		return (this == TRACED) ? "1.0" : "0.1";
	}

	static Setup of(String name) {
		return valueOf(name.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
	}

	/** Auto-configurations left out by the setups without them. */
	private static final class Names {

		static final String OBSERVATION = String.join(",",
				List.of("org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration",
						"org.springframework.boot.micrometer.observation.autoconfigure.ScheduledTasksObservationAutoConfiguration"));

		static final String METRICS = String.join(",", List.of(
				"org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration"));

		static final String TRACING = String.join(",", List.of(
				"org.springframework.boot.micrometer.tracing.autoconfigure.MicrometerTracingAutoConfiguration",
				"org.springframework.boot.micrometer.tracing.autoconfigure.NoopTracerAutoConfiguration",
				"org.springframework.boot.micrometer.tracing.autoconfigure.prometheus.PrometheusExemplarsAutoConfiguration",
				"org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.OpenTelemetryTracingAutoConfiguration"));

	}

}
