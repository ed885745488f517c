package dev.retry.autoconfigure;

import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.retry.CircuitBreakerOpenException;
import dev.retry.annotation.CircuitBreaker;
import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.breaker.CircuitBreakerConfig;
import dev.retry.breaker.CircuitBreakerListener;
import dev.retry.breaker.State;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

@ExtendWith(OutputCaptureExtension.class)
class CircuitBreakerAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class))
		.withBean(ManualClock.class)
		.withBean(BreakingService.class)
		.withPropertyValues("retry.circuit-breakers.inventory.failure-threshold=3",
				"retry.circuit-breakers.inventory.open-duration=30s", "retry.policies.network.jitter=none");

	@Test
	void opensAfterTheThresholdAndRejectsWithoutReachingTheMethod() {
		this.runner.run((context) -> {
			BreakingService service = context.getBean(BreakingService.class);

			for (int i = 0; i < 3; i++) {
				assertThatExceptionOfType(ConnectException.class).isThrownBy(service::breakerOnly);
			}
			CircuitBreakerOpenException rejected = catchThrowableOfType(CircuitBreakerOpenException.class,
					service::breakerOnly);

			assertThat(service.reached()).isEqualTo(3);
			assertThat(rejected.getBreakerName()).isEqualTo("inventory");
			assertThat(rejected.getUntilHalfOpen()).isEqualTo(Duration.ofSeconds(30));
		});
	}

	@Test
	void halfOpensAfterTheOpenDurationAndClosesWhenTheTrialSucceeds() {
		this.runner.run((context) -> {
			BreakingService service = context.getBean(BreakingService.class);
			ManualClock clock = context.getBean(ManualClock.class);
			dev.retry.breaker.CircuitBreaker breaker = context.getBean(CircuitBreakerRegistry.class).find("inventory");
			for (int i = 0; i < 3; i++) {
				assertThatExceptionOfType(ConnectException.class).isThrownBy(service::breakerOnly);
			}

			clock.advance(Duration.ofSeconds(29));
			assertThatExceptionOfType(CircuitBreakerOpenException.class).isThrownBy(service::breakerOnly);
			clock.advance(Duration.ofSeconds(1));
			service.down(false);

			assertThat(service.breakerOnly()).isEqualTo("breaker");
			assertThat(breaker.getState()).isEqualTo(State.CLOSED);
			assertThat(service.reached()).isEqualTo(4);
		});
	}

	@Test
	void methodsNamingTheSameBreakerShareIt() {
		this.runner.run((context) -> {
			BreakingService service = context.getBean(BreakingService.class);
			for (int i = 0; i < 3; i++) {
				assertThatExceptionOfType(ConnectException.class).isThrownBy(service::breakerOnly);
			}

			assertThatExceptionOfType(CircuitBreakerOpenException.class).isThrownBy(service::sameBreakerElsewhere);
			assertThat(service.reached()).isEqualTo(3);
			assertThat(context.getBean(CircuitBreakerRegistry.class).names()).containsExactly("inventory");
		});
	}

	@Test
	void retryWrapsTheBreakerAndLaterAttemptsAreRejectedWithoutReachingTheDownstream() {
		this.runner.run((context) -> {
			BreakingService service = context.getBean(BreakingService.class);
			ManualClock clock = context.getBean(ManualClock.class);

			assertThatExceptionOfType(ConnectException.class).isThrownBy(service::retriedThroughBreaker);
			assertThat(service.reached()).as("three attempts, the third opening the breaker").isEqualTo(3);
			assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));

			assertThatExceptionOfType(CircuitBreakerOpenException.class).isThrownBy(service::retriedThroughBreaker);
			assertThat(service.reached()).as("rejected: never reached, never retried").isEqualTo(3);
			assertThat(clock.sleeps()).hasSize(2);
		});
	}

	@Test
	void aRetryDoesNotWaitForAnAttemptTheOpenBreakerWouldReject() {
		this.runner.withPropertyValues("retry.circuit-breakers.inventory.failure-threshold=2").run((context) -> {
			BreakingService service = context.getBean(BreakingService.class);
			ManualClock clock = context.getBean(ManualClock.class);

			assertThatExceptionOfType(CircuitBreakerOpenException.class).isThrownBy(service::retriedThroughBreaker);
			assertThat(service.reached()).isEqualTo(2);
			assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(1));
		});
	}

	@Test
	void fallbackAnswersFailuresAndRejections() {
		this.runner.run((context) -> {
			BreakingService service = context.getBean(BreakingService.class);

			assertThat(service.withFallback("a1")).isEqualTo("cached a1 (failed)");
			assertThat(service.withFallback("a1")).isEqualTo("cached a1 (failed)");
			assertThat(service.withFallback("a1")).isEqualTo("cached a1 (failed)");
			assertThat(service.withFallback("a1")).isEqualTo("cached a1 (rejected)");
			assertThat(service.reached()).isEqualTo(3);
		});
	}

	@Test
	void retryFallbackAlsoAnswersARejection() {
		this.runner.run((context) -> {
			BreakingService service = context.getBean(BreakingService.class);

			assertThat(service.retriedWithFallback("b2")).isEqualTo("cached b2 (failed)");
			assertThat(service.retriedWithFallback("b2")).isEqualTo("cached b2 (rejected)");
			assertThat(service.reached()).isEqualTo(3);
		});
	}

	@Test
	void typeLevelAnnotationCoversEveryPublicMethod() {
		this.runner.withBean(TypeLevel.class).run((context) -> {
			TypeLevel service = context.getBean(TypeLevel.class);
			for (int i = 0; i < 3; i++) {
				assertThatExceptionOfType(ConnectException.class).isThrownBy(service::first);
			}

			assertThatExceptionOfType(CircuitBreakerOpenException.class).isThrownBy(service::second);
		});
	}

	@Test
	void transitionsAreLoggedAtWarnWithTheReasonAndReachListenerBeans(CapturedOutput output) {
		this.runner.withBean(RecordingBreakerListener.class).run((context) -> {
			BreakingService service = context.getBean(BreakingService.class);
			for (int i = 0; i < 3; i++) {
				assertThatExceptionOfType(ConnectException.class).isThrownBy(service::breakerOnly);
			}

			assertThat(output).contains("WARN").contains("dev.retry.CircuitBreaker")
				.contains("Circuit breaker 'inventory' closed -> open: 3 consecutive failures, "
						+ "last ConnectException: Connection refused; half-open in 30s");
			assertThat(context.getBean(RecordingBreakerListener.class).changes())
				.containsExactly("inventory CLOSED->OPEN");
		});
	}

	@Test
	void bindsEveryBreakerKey() {
		this.runner
			.withPropertyValues("retry.circuit-breakers.payments.failure-threshold=7",
					"retry.circuit-breakers.payments.failure-rate-threshold=40",
					"retry.circuit-breakers.payments.sliding-window-size=50",
					"retry.circuit-breakers.payments.minimum-calls=10",
					"retry.circuit-breakers.payments.slow-call-duration=2.5",
					"retry.circuit-breakers.payments.open-duration=45s",
					"retry.circuit-breakers.payments.half-open-calls=3",
					"retry.circuit-breakers.payments.record-on=java.io.IOException",
					"retry.circuit-breakers.payments.ignore-on=java.lang.IllegalArgumentException")
			.run((context) -> {
				CircuitBreakerConfig config = context.getBean(CircuitBreakerRegistry.class)
					.find("payments")
					.getConfig();

				assertThat(config.getFailureThreshold()).isEqualTo(7);
				assertThat(config.getFailureRateThreshold()).isEqualTo(40);
				assertThat(config.getSlidingWindowSize()).isEqualTo(50);
				assertThat(config.getMinimumCalls()).isEqualTo(10);
				assertThat(config.getSlowCallDuration()).isEqualTo(Duration.ofMillis(2500));
				assertThat(config.getOpenDuration()).isEqualTo(Duration.ofSeconds(45));
				assertThat(config.getHalfOpenCalls()).isEqualTo(3);
				assertThat(config.getRecordOn()).containsExactly(java.io.IOException.class);
				assertThat(config.getIgnoreOn()).containsExactly(IllegalArgumentException.class);
			});
	}

	@Test
	void keysLeftOutTakeTheDocumentedDefaults() {
		this.runner.withPropertyValues("retry.circuit-breakers.search.half-open-calls=1").run((context) -> {
			CircuitBreakerConfig config = context.getBean(CircuitBreakerRegistry.class).find("search").getConfig();

			assertThat(config.getFailureThreshold()).isEqualTo(5);
			assertThat(config.getFailureRateThreshold()).isZero();
			assertThat(config.getSlidingWindowSize()).isEqualTo(100);
			assertThat(config.getMinimumCalls()).isEqualTo(20);
			assertThat(config.getSlowCallDuration()).isZero();
			assertThat(config.getOpenDuration()).isEqualTo(Duration.ofSeconds(60));
			assertThat(config.getRecordOn()).isEmpty();
		});
	}

	@CircuitBreaker("inventory")
	public static class TypeLevel {

		public String first() throws ConnectException {
			throw new ConnectException("refused");
		}

		public String second() {
			return "second";
		}

	}

	static class RecordingBreakerListener implements CircuitBreakerListener {

		private final List<String> changes = new CopyOnWriteArrayList<>();

		@Override
		public void onStateChange(String breaker, State from, State to, String reason) {
			this.changes.add(breaker + " " + from + "->" + to);
		}

		List<String> changes() {
			return this.changes;
		}

	}

}
