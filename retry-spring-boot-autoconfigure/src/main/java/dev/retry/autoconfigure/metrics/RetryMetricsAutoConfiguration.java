package dev.retry.autoconfigure.metrics;

import dev.retry.autoconfigure.RetryAutoConfiguration;
import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.autoconfigure.config.PolicyRegistry;
import dev.retry.autoconfigure.fleet.FleetView;
import dev.retry.autoconfigure.fleet.RetryFleetAutoConfiguration;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Publishes {@code retry.calls}, {@code retry.attempts}, {@code circuitbreaker.state},
 * {@code circuitbreaker.calls} and {@code circuitbreaker.transitions}. Active when Micrometer is on
 * the classpath and the application has a {@link MeterRegistry}.
 */
@AutoConfiguration(after = { RetryAutoConfiguration.class, RetryFleetAutoConfiguration.class }, afterName = {
		"org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
		"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({ MeterRegistry.class, PolicyRegistry.class })
public final class RetryMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	RetryMetricsListener retryMetricsListener(MeterRegistry registry) {
		return new RetryMetricsListener(registry);
	}

	@Bean
	@ConditionalOnMissingBean
	CircuitBreakerTransitionCounter circuitBreakerTransitionCounter(MeterRegistry registry) {
		return new CircuitBreakerTransitionCounter(registry);
	}

	@Bean
	@ConditionalOnMissingBean
	CircuitBreakerMeters circuitBreakerMeters(CircuitBreakerRegistry breakers, MeterRegistry registry) {
		return new CircuitBreakerMeters(breakers, registry);
	}

	/** {@code retry.fleet.link}: 1 while the fleet's Redis answers, 0 while not. */
	@Bean
	@ConditionalOnBean(FleetView.class)
	MeterBinder retryFleetLinkGauge(FleetView fleet) {
		return (registry) -> Gauge.builder(RetryMeterNames.FLEET_LINK, fleet, (f) -> f.isLinked() ? 1 : 0)
			.description("1 while the fleet's Redis answers, 0 while breakers go on locally")
			.tag("fleet", fleet.getName())
			.register(registry);
	}

}
