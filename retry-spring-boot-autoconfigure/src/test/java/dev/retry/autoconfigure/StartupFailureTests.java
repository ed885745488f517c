package dev.retry.autoconfigure;

import java.net.ConnectException;

import dev.retry.annotation.CircuitBreaker;
import dev.retry.annotation.Retryable;
import dev.retry.autoconfigure.diagnostics.RetryConfigurationFailureAnalyzer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * Every bad input a user can give stops start-up with a report that names what is wrong and what
 * is allowed. Each test asserts the text of the "APPLICATION FAILED TO START" report.
 */
@ExtendWith(OutputCaptureExtension.class)
class StartupFailureTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class));

	@Test
	void unknownPolicyNameListsTheKnownOnes() {
		this.runner.withBean(UnknownPolicy.class).withPropertyValues("retry.policies.payments.max-attempts=4").run((context) -> {
			FailureAnalysis analysis = analyze(context);

			assertThat(analysis.getDescription()).isEqualTo("@Retryable(policy = \"netwrk\") on UnknownPolicy.call() "
					+ "names no retry policy. Known policies: aggressive, default, fast, gentle, network, payments.");
			assertThat(analysis.getAction()).contains("define this one under retry.policies.netwrk");
		});
	}

	@Test
	void returnTypeHidingFailuresIsRefusedWithTheSupportedOnes() {
		this.runner.withBean(PlainFuture.class).run((context) -> {
			FailureAnalysis analysis = analyze(context);

			assertThat(analysis.getDescription()).isEqualTo("PlainFuture.fetch() returns Future, whose failures the "
					+ "retry and circuit-breaker annotations cannot see.");
			assertThat(analysis.getAction()).isEqualTo("Return CompletableFuture or CompletionStage (or Mono or Flux, "
					+ "with Reactor on the classpath), or a plain value.");
		});
	}

	@Test
	void missingFallbackSaysWhatToDeclare() {
		this.runner.withBean(MissingFallback.class).run((context) -> {
			FailureAnalysis analysis = analyze(context);

			assertThat(analysis.getDescription()).isEqualTo("@Retryable(fallback = \"cached\") on MissingFallback.fetch(String) "
					+ "names no matching fallback method. Found: String cached(int).");
			assertThat(analysis.getAction())
				.isEqualTo("Declare String cached(String, [Throwable or a subtype]) on MissingFallback.");
		});
	}

	@Test
	void fallbackWithAnIncompatibleReturnTypeIsRejected() {
		this.runner.withBean(MismatchedFallback.class).run((context) -> {
			FailureAnalysis analysis = analyze(context);

			assertThat(analysis.getDescription()).isEqualTo("@Retryable(fallback = \"cached\") on MismatchedFallback.fetch(String) "
					+ "names Integer cached(String, Throwable), which returns Integer: not assignable to String, "
					+ "the return type of fetch.");
		});
	}

	@Test
	void zeroOrNegativeAttemptsAreRejected() {
		this.runner.withPropertyValues("retry.policies.payments.max-attempts=-1").run((context) -> {
			FailureAnalysis analysis = analyze(context);

			assertThat(analysis.getDescription()).contains("Property: retry.policies.payments.max-attempts")
				.contains("Value:    \"-1\"")
				.contains("Reason:   out of range");
			assertThat(analysis.getAction()).isEqualTo("Update your application's configuration: "
					+ "retry.policies.payments.max-attempts must be an integer >= 1 (attempts in all, the first call included).");
		});
	}

	@Test
	void zeroDefaultAttemptsAreRejectedUnderTheirOwnName() {
		this.runner.withPropertyValues("retry.defaults.max-attempts=0").run((context) -> {
			assertThat(analyze(context).getDescription()).contains("Property: retry.defaults.max-attempts")
				.contains("Value:    \"0\"");
		});
	}

	@Test
	void maxDelayBelowBaseDelayNamesBothValues() {
		this.runner.withPropertyValues("retry.policies.payments.base-delay=2s", "retry.policies.payments.max-delay=500ms")
			.run((context) -> {
				FailureAnalysis analysis = analyze(context);

				assertThat(analysis.getDescription()).contains("Property: retry.policies.payments.max-delay")
					.contains("Value:    \"PT0.5S\"")
					.contains("Reason:   max-delay is below base-delay (PT2S, from retry.policies.payments.base-delay)");
				assertThat(analysis.getAction()).contains("must be a duration >= base-delay (PT2S)");
			});
	}

	@Test
	void maxDelayOfDefaultsBelowABaseDelayTheUserSetIsCaught() {
		this.runner.withPropertyValues("retry.defaults.max-delay=100ms", "retry.policies.payments.base-delay=1s")
			.run((context) -> {
				assertThat(analyze(context).getDescription()).contains("Property: retry.defaults.max-delay",
						"max-delay is below base-delay (PT1S, from retry.policies.payments.base-delay)");
			});
	}

	@Test
	void unknownExceptionClassIsNamed() {
		this.runner.withPropertyValues("retry.policies.payments.retry-on=com.acme.NoSuchException").run((context) -> {
			FailureAnalysis analysis = analyze(context);

			assertThat(analysis.getDescription()).contains("Property: retry.policies.payments.retry-on")
				.contains("Reason:   no class named 'com.acme.NoSuchException' on the classpath");
			assertThat(analysis.getAction()).contains("fully qualified names of exception classes on the classpath");
		});
	}

	@Test
	void classThatIsNotAnExceptionIsRejected() {
		this.runner.withPropertyValues("retry.defaults.no-retry-on=java.lang.String").run((context) -> {
			assertThat(analyze(context).getDescription())
				.contains("Reason:   'java.lang.String' is not an exception (not a java.lang.Throwable)");
		});
	}

	@Test
	void jitterFactorOutsideZeroToOneIsRejected() {
		this.runner.withPropertyValues("retry.policies.payments.jitter-factor=1.5").run((context) -> {
			FailureAnalysis analysis = analyze(context);

			assertThat(analysis.getDescription()).contains("Property: retry.policies.payments.jitter-factor")
				.contains("Value:    \"1.5\"");
			assertThat(analysis.getAction()).contains("must be a number within 0 and 1");
		});
	}

	@Test
	void statusThatIsNotAnHttpStatusIsRejected() {
		this.runner.withPropertyValues("retry.defaults.retry-on-status=503,42").run((context) -> {
			assertThat(analyze(context).getDescription()).contains("Property: retry.defaults.retry-on-status")
				.contains("Reason:   '42' is not an HTTP status");
		});
	}

	@Test
	void unknownJitterNameListsTheAllowedOnes(CapturedOutput output) {
		String report = startupReport(output, "retry.defaults.jitter=wobbly");

		assertThat(report).contains("Property: retry.defaults.jitter", "Value: \"wobbly\"",
				"The following values are valid:", "    DECORRELATED", "    EQUAL", "    FULL", "    NONE",
				"    PROPORTIONAL");
	}

	@Test
	void unknownBudgetScopeListsTheAllowedOnes(CapturedOutput output) {
		String report = startupReport(output, "retry.defaults.budget.scope=cluster");

		assertThat(report).contains("Property: retry.defaults.budget.scope", "Value: \"cluster\"",
				"The following values are valid:", "    FLEET", "    LOCAL");
	}

	@Test
	void unparsableDurationIsReportedByProperty(CapturedOutput output) {
		String report = startupReport(output, "retry.defaults.base-delay=soon");

		assertThat(report).contains("Property: retry.defaults.base-delay", "Value: \"soon\"");
	}

	@Test
	void applicationPrintsTheReportInsteadOfAStackTrace(CapturedOutput output) {
		String report = startupReport(output, "retry.policies.payments.max-attempts=0");

		assertThat(report).contains("APPLICATION FAILED TO START", "Invalid retry configuration:",
				"Property: retry.policies.payments.max-attempts", "Action:",
				"retry.policies.payments.max-attempts must be an integer >= 1");
	}

	@Test
	void unknownCircuitBreakerNameListsTheConfiguredOnes() {
		this.runner.withBean(UnknownBreaker.class)
			.withPropertyValues("retry.circuit-breakers.inventory.failure-threshold=3",
					"retry.circuit-breakers.payments.failure-threshold=5")
			.run((context) -> {
				FailureAnalysis analysis = analyze(context);

				assertThat(analysis.getDescription()).isEqualTo("@CircuitBreaker(name = \"inventry\") on "
						+ "UnknownBreaker.call() names no configured circuit breaker. "
						+ "Configured circuit breakers: inventory, payments.");
				assertThat(analysis.getAction()).isEqualTo("Declare it under retry.circuit-breakers.inventry with at "
						+ "least one key (for example retry.circuit-breakers.inventry.failure-threshold=5); "
						+ "keys left out take their defaults.");
			});
	}

	@Test
	void circuitBreakerWithoutConfigurationFailsEvenWithNoOtherBreakers() {
		this.runner.withBean(UnknownBreaker.class).run((context) -> {
			assertThat(analyze(context).getDescription()).endsWith("names no configured circuit breaker. None is configured.");
		});
	}

	@Test
	void circuitBreakerWithoutANameIsRejected() {
		this.runner.withBean(NamelessBreaker.class).run((context) -> {
			FailureAnalysis analysis = analyze(context);

			assertThat(analysis.getDescription()).isEqualTo("@CircuitBreaker on NamelessBreaker.call() names no circuit breaker.");
			assertThat(analysis.getAction()).contains("@CircuitBreaker(name = \"inventory\")");
		});
	}

	@Test
	void failureRateAbove100PercentIsRejected() {
		this.runner.withPropertyValues("retry.circuit-breakers.inventory.failure-rate-threshold=150").run((context) -> {
			FailureAnalysis analysis = analyze(context);

			assertThat(analysis.getDescription()).contains("Property: retry.circuit-breakers.inventory.failure-rate-threshold")
				.contains("Value:    \"150\"")
				.contains("Reason:   out of range");
			assertThat(analysis.getAction()).isEqualTo("Update your application's configuration: "
					+ "retry.circuit-breakers.inventory.failure-rate-threshold must be a percentage within 0 and 100 "
					+ "(0 turns the rate rule off).");
		});
	}

	@Test
	void minimumCallsAboveTheWindowSizeIsRejected() {
		this.runner.withPropertyValues("retry.circuit-breakers.inventory.sliding-window-size=10",
				"retry.circuit-breakers.inventory.minimum-calls=20").run((context) -> {
			FailureAnalysis analysis = analyze(context);

			assertThat(analysis.getDescription()).contains("Property: retry.circuit-breakers.inventory.minimum-calls")
				.contains("Value:    \"20\"");
			assertThat(analysis.getAction()).contains("must be an integer within 1 and sliding-window-size (10)");
		});
	}

	@Test
	void breakerThatCouldNeverOpenIsRejected() {
		this.runner.withPropertyValues("retry.circuit-breakers.inventory.failure-threshold=0").run((context) -> {
			FailureAnalysis analysis = analyze(context);

			assertThat(analysis.getDescription()).contains("Property: retry.circuit-breakers.inventory.failure-threshold")
				.contains("Reason:   with failure-rate-threshold also 0, the breaker could never open");
		});
	}

	@Test
	void zeroOpenDurationIsRejected() {
		this.runner.withPropertyValues("retry.circuit-breakers.inventory.open-duration=0").run((context) -> {
			FailureAnalysis analysis = analyze(context);

			assertThat(analysis.getDescription()).contains("Property: retry.circuit-breakers.inventory.open-duration")
				.contains("Reason:   an open breaker must stay open a while");
			assertThat(analysis.getAction()).contains("must be a duration > 0, such as 30s");
		});
	}

	@Test
	void zeroHalfOpenCallsIsRejected() {
		this.runner.withPropertyValues("retry.circuit-breakers.inventory.half-open-calls=0").run((context) -> {
			assertThat(analyze(context).getAction())
				.contains("retry.circuit-breakers.inventory.half-open-calls must be an integer >= 1");
		});
	}

	@Test
	void unknownExceptionClassInIgnoreOnIsNamed() {
		this.runner.withPropertyValues("retry.circuit-breakers.inventory.ignore-on=com.acme.Missing").run((context) -> {
			assertThat(analyze(context).getDescription()).contains("Property: retry.circuit-breakers.inventory.ignore-on")
				.contains("Reason:   no class named 'com.acme.Missing' on the classpath");
		});
	}

	@Test
	void twoDifferentFallbacksOnOneMethodAreRejected() {
		this.runner.withBean(TwoFallbacks.class)
			.withPropertyValues("retry.circuit-breakers.inventory.failure-threshold=3")
			.run((context) -> {
				FailureAnalysis analysis = analyze(context);

				assertThat(analysis.getDescription()).isEqualTo("TwoFallbacks.fetch(String) names two fallbacks: "
						+ "'cached' in @Retryable and 'stale' in @CircuitBreaker.");
				assertThat(analysis.getAction()).contains("name it in one of the two annotations only");
			});
	}

	@Test
	void missingCircuitBreakerFallbackIsReportedUnderItsAnnotation() {
		this.runner.withBean(MissingBreakerFallback.class)
			.withPropertyValues("retry.circuit-breakers.inventory.failure-threshold=3")
			.run((context) -> {
				assertThat(analyze(context).getDescription()).isEqualTo("@CircuitBreaker(fallback = \"stale\") on "
						+ "MissingBreakerFallback.fetch(String) names no matching fallback method. "
						+ "There is no method named 'stale' on MissingBreakerFallback.");
			});
	}

	/** Starts a real application, as a user would, and returns what it printed. */
	private static String startupReport(CapturedOutput output, String... properties) {
		assertThatException().isThrownBy(() -> new SpringApplicationBuilder(MinimalApplication.class)
			.web(WebApplicationType.NONE)
			.properties(properties)
			.run());
		return output.getAll();
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration(RetryAutoConfiguration.class)
	@Import(FlakyService.class)
	static class MinimalApplication {

	}

	static FailureAnalysis analyze(AssertableApplicationContext context) {
		assertThat(context).hasFailed();
		FailureAnalyzer analyzer = new RetryConfigurationFailureAnalyzer();
		FailureAnalysis analysis = analyzer.analyze(context.getStartupFailure());
		assertThat(analysis).as("failure analysis of %s", context.getStartupFailure()).isNotNull();
		return analysis;
	}

	public static class PlainFuture {

		@Retryable
		public java.util.concurrent.Future<String> fetch() {
			return java.util.concurrent.CompletableFuture.completedFuture("never seen");
		}

	}

	public static class UnknownPolicy {

		@Retryable(policy = "netwrk")
		public void call() {
		}

	}

	public static class MissingFallback {

		@Retryable(policy = "network", fallback = "cached")
		public String fetch(String sku) throws ConnectException {
			throw new ConnectException();
		}

		String cached(int sku) {
			return "";
		}

	}

	public static class MismatchedFallback {

		@Retryable(policy = "network", fallback = "cached")
		public String fetch(String sku) throws ConnectException {
			throw new ConnectException();
		}

		Integer cached(String sku, Throwable failure) {
			return 0;
		}

	}

	public static class UnknownBreaker {

		@CircuitBreaker("inventry")
		public String call() {
			return "ok";
		}

	}

	public static class NamelessBreaker {

		@CircuitBreaker
		public String call() {
			return "ok";
		}

	}

	public static class TwoFallbacks {

		@Retryable(policy = "network", fallback = "cached")
		@CircuitBreaker(name = "inventory", fallback = "stale")
		public String fetch(String sku) {
			return sku;
		}

		String cached(String sku) {
			return sku;
		}

		String stale(String sku) {
			return sku;
		}

	}

	public static class MissingBreakerFallback {

		@CircuitBreaker(name = "inventory", fallback = "stale")
		public String fetch(String sku) {
			return sku;
		}

	}

}
