package dev.retry.autoconfigure.metrics;

import java.net.ConnectException;
import java.time.Duration;
import java.util.Map;

import dev.retry.CircuitBreakerOpenException;
import dev.retry.annotation.CircuitBreaker;
import dev.retry.annotation.Retryable;
import dev.retry.autoconfigure.RetryAutoConfiguration;
import dev.retry.autoconfigure.config.RetryTuning;
import dev.retry.time.ManualClock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

@ExtendWith(OutputCaptureExtension.class)
class RetryMetricsTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class, RetryMetricsAutoConfiguration.class))
		.withBean(SimpleMeterRegistry.class)
		.withBean(ManualClock.class)
		.withBean(Scripted.class)
		.withPropertyValues("retry.circuit-breakers.inventory.failure-threshold=2",
				"retry.circuit-breakers.inventory.open-duration=10s");

	@Test
	void eachOutcomeIsCountedExactly() {
		this.runner.run((context) -> {
			Scripted service = context.getBean(Scripted.class);
			MeterRegistry meters = context.getBean(MeterRegistry.class);

			service.call(0);
			service.call(0);
			service.call(2);
			assertThatExceptionOfType(ConnectException.class).isThrownBy(() -> service.call(5));
			assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(service::invalid);

			assertThat(calls(meters, "Scripted.call", "success")).isEqualTo(2);
			assertThat(calls(meters, "Scripted.call", "success_after_retry")).isEqualTo(1);
			assertThat(calls(meters, "Scripted.call", "exhausted")).isEqualTo(1);
			assertThat(calls(meters, "Scripted.invalid", "not_retryable")).isEqualTo(1);
			assertThat(calls(meters, "Scripted.call", "budget_exhausted")).as("registered up front, at zero").isZero();
			assertThat(attempts(meters, "Scripted.call", "success")).isEqualTo(3);
			assertThat(attempts(meters, "Scripted.call", "failure")).as("2 before the success, 3 exhausted")
				.isEqualTo(5);
			assertThat(attempts(meters, "Scripted.invalid", "failure")).isEqualTo(1);
		});
	}

	@Test
	void breakerRejectionsAndStateAreCounted() {
		this.runner.run((context) -> {
			Scripted service = context.getBean(Scripted.class);
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			ManualClock clock = context.getBean(ManualClock.class);
			assertThat(state(meters, "closed")).isEqualTo(1);

			assertThatExceptionOfType(ConnectException.class).isThrownBy(service::guarded);
			assertThatExceptionOfType(ConnectException.class).isThrownBy(service::guarded);
			assertThatExceptionOfType(CircuitBreakerOpenException.class).isThrownBy(service::guarded);
			assertThatExceptionOfType(CircuitBreakerOpenException.class).isThrownBy(service::retriedAndGuarded);

			assertThat(state(meters, "open")).isEqualTo(1);
			assertThat(state(meters, "closed")).isZero();
			assertThat(state(meters, "half_open")).isZero();
			assertThat(breakerCalls(meters, "failure")).isEqualTo(2);
			assertThat(breakerCalls(meters, "rejected")).isEqualTo(2);
			assertThat(calls(meters, "Scripted.retriedAndGuarded", "rejected")).isEqualTo(1);
			assertThat(attempts(meters, "Scripted.retriedAndGuarded", "failure")).as("a rejection is no attempt")
				.isZero();

			clock.advance(Duration.ofSeconds(10));
			service.healthy();
			assertThat(service.guarded()).isEqualTo("ok");
			assertThat(state(meters, "closed")).isEqualTo(1);
			assertThat(breakerCalls(meters, "success")).isEqualTo(1);
			assertThat(transitions(meters, "closed", "open")).isEqualTo(1);
			assertThat(transitions(meters, "open", "half_open")).isEqualTo(1);
			assertThat(transitions(meters, "half_open", "closed")).isEqualTo(1);
		});
	}

	@Test
	void aPolicyReTunedAtRuntimeKeepsItsMethodsMetersWithoutRegisteringThemAgain(CapturedOutput output) {
		// Micrometer warns of a second registration once per JVM, then at DEBUG: show every one.
		LoggingSystem logging = LoggingSystem.get(getClass().getClassLoader());
		logging.setLogLevel(MeterRegistry.class.getName(), LogLevel.DEBUG);
		try {
			this.runner.run((context) -> {
				Scripted service = context.getBean(Scripted.class);
				MeterRegistry meters = context.getBean(MeterRegistry.class);
				service.call(1);

				context.getBean(RetryTuning.class).overridePolicy("network", Map.of("max-attempts", "5"), "test");
				context.getBean(RetryTuning.class).overridePolicy("network", Map.of("max-attempts", "4"), "test");
				service.call(3);

				assertThat(attempts(meters, "Scripted.call", "success")).isEqualTo(2);
				assertThat(attempts(meters, "Scripted.call", "failure")).isEqualTo(4);
				assertThat(calls(meters, "Scripted.call", "success_after_retry")).isEqualTo(2);
				assertThat(meters.find("retry.attempts").tag("method", "Scripted.call").meters()).hasSize(4);
				assertThat(output).contains("changed at runtime: max-attempts 3 -> 5")
					.doesNotContain("has been already registered");
			});
		}
		finally {
			logging.setLogLevel(MeterRegistry.class.getName(), null);
		}
	}

	@Test
	void backsOffWithoutMicrometer() {
		this.runner.withClassLoader(new FilteredClassLoader(MeterRegistry.class)).run((context) -> {
			assertThat(context).hasNotFailed().doesNotHaveBean(RetryMetricsListener.class);
			assertThat(context.getBean(Scripted.class).call(1)).isEqualTo("ok");
		});
	}

	@Test
	void backsOffWithoutAMeterRegistry() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class, RetryMetricsAutoConfiguration.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(RetryMetricsListener.class)
				.doesNotHaveBean(CircuitBreakerMeters.class));
	}

	private static double calls(MeterRegistry meters, String method, String outcome) {
		return meters.get("retry.calls").tag("method", method).tag("outcome", outcome).counter().count();
	}

	private static double attempts(MeterRegistry meters, String method, String result) {
		// Successful attempts are a function counter, the other results plain counters: read either.
		return meters.get("retry.attempts").tag("method", method).tag("result", result).meter().measure()
			.iterator()
			.next()
			.getValue();
	}

	private static double state(MeterRegistry meters, String state) {
		return meters.get("circuitbreaker.state").tag("name", "inventory").tag("state", state).gauge().value();
	}

	private static double breakerCalls(MeterRegistry meters, String outcome) {
		return meters.get("circuitbreaker.calls").tag("name", "inventory").tag("outcome", outcome).functionCounter()
			.count();
	}

	private static double transitions(MeterRegistry meters, String from, String to) {
		return meters.get("circuitbreaker.transitions").tag("name", "inventory").tag("from", from).tag("to", to)
			.counter()
			.count();
	}

	public static class Scripted {

		private int failures;

		private volatile boolean down = true;

		@Retryable("network")
		public String call(int failFirst) throws ConnectException {
			if (this.failures++ < failFirst) {
				throw new ConnectException("refused");
			}
			this.failures = 0;
			return "ok";
		}

		@Retryable("network")
		public String invalid() {
			throw new IllegalArgumentException("bad sku");
		}

		@CircuitBreaker("inventory")
		public String guarded() throws ConnectException {
			if (this.down) {
				throw new ConnectException("refused");
			}
			return "ok";
		}

		@Retryable("network")
		@CircuitBreaker("inventory")
		public String retriedAndGuarded() throws ConnectException {
			return guarded();
		}

		public void healthy() {
			this.down = false;
		}

	}

}
