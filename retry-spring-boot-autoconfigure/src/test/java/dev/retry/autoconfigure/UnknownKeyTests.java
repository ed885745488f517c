package dev.retry.autoconfigure;

import java.time.Duration;
import java.util.Map;

import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.autoconfigure.config.PolicyRegistry;
import dev.retry.backoff.Jitter;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * A property under {@code retry.} that binds to nothing (a typo, at any level, from a file or the
 * environment) stops start-up with a report naming it, where it was set and the closest valid key,
 * instead of silently changing nothing; what does bind, in every form Spring Boot accepts, starts.
 */
@ExtendWith(OutputCaptureExtension.class)
class UnknownKeyTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class))
		.withBean(ManualClock.class)
		.withBean(FlakyService.class);

	@Test
	void aTypoInApplicationYamlStopsStartUpNamingTheFileTheLineAndTheClosestKey(CapturedOutput output) {
		assertThatException().isThrownBy(() -> new SpringApplicationBuilder(StartupFailureTests.MinimalApplication.class)
			.web(WebApplicationType.NONE)
			.properties("spring.config.name=unknown-keys")
			.run());

		assertThat(output.getAll()).contains("APPLICATION FAILED TO START",
				"Unknown retry configuration property: nothing binds it, so it would change nothing.",
				"Property: retry.policies.network.max-attemps", "Value:    \"7\"",
				"Origin:   class path resource [unknown-keys.yml]", " - 5:20",
				"Reason:   'max-attemps' is not a key of retry.policies.<name>; did you mean "
						+ "retry.policies.network.max-attempts?",
				"Correct or remove the property. The keys of retry.policies.<name> are: max-attempts, base-delay,");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
			retry.polices.network.max-attempts             | 'polices' is not a key of retry                             | retry.policies.network.max-attempts
			retry.policies.network.max-attemps             | 'max-attemps' is not a key of retry.policies.<name>         | retry.policies.network.max-attempts
			retry.defaults.max-atempts                     | 'max-atempts' is not a key of retry.defaults                | retry.defaults.max-attempts
			retry.circuit-breakers.flaky.failure-treshold  | 'failure-treshold' is not a key of retry.circuit-breakers.<name> | retry.circuit-breakers.flaky.failure-threshold
			retry.circuit-breaker.flaky.failure-threshold  | 'circuit-breaker' is not a key of retry                     | retry.circuit-breakers.flaky.failure-threshold
			retry.policies.pricing.budget.ration           | 'ration' is not a key of retry.policies.<name>.budget       | retry.policies.pricing.budget.ratio
			retry.defaults.budget.windw                    | 'windw' is not a key of retry.defaults.budget               | retry.defaults.budget.window
			retry.fleet.enabeld                            | 'enabeld' is not a key of retry.fleet                       | retry.fleet.enabled
			retry.fleet.operation-timout                   | 'operation-timout' is not a key of retry.fleet              | retry.fleet.operation-timeout
			retry.events.capacty                           | 'capacty' is not a key of retry.events                      | retry.events.capacity
			retry.observations.enable                      | 'enable' is not a key of retry.observations                 | retry.observations.enabled
			retry.health.down-when-opn                     | 'down-when-opn' is not a key of retry.health                | retry.health.down-when-open
			retry.startup.self-invocaton                   | 'self-invocaton' is not a key of retry.startup              | retry.startup.self-invocation
			retry.enabeld                                  | 'enabeld' is not a key of retry                             | retry.enabled
			""")
	void aTypoAtAnyLevelStopsStartUpWithTheClosestKey(String property, String reason, String closest) {
		this.runner.withPropertyValues(property + "=1").run((context) -> {
			FailureAnalysis analysis = StartupFailureTests.analyze(context);

			assertThat(analysis.getDescription()).contains("Property: " + property, "Value:    \"1\"",
					"Origin:   \"" + property + "\" from property source \"test\"",
					"Reason:   " + reason + "; did you mean " + closest + "?");
			assertThat(analysis.getAction()).startsWith("Correct or remove the property. The keys of ");
		});
	}

	@Test
	void keysBelowAValueOrBesideAListIndexAreNotKeys() {
		this.runner.withPropertyValues("retry.defaults.max-attempts.of-network=1", "retry.defaults.retry-on.first=x")
			.run((context) -> {
				String description = StartupFailureTests.analyze(context).getDescription();

				assertThat(description).startsWith("Unknown retry configuration properties: nothing binds them")
					.contains("Property: retry.defaults.max-attempts.of-network",
							"Reason:   retry.defaults.max-attempts is a value, it has no keys of its own")
					.contains("Property: retry.defaults.retry-on.first",
							"Reason:   retry.defaults.retry-on is a list: its elements are numbered");
			});
	}

	@Test
	void aKeyNothingIsCloseToListsTheKeysOfItsLevel() {
		this.runner.withPropertyValues("retry.policies.network.patience=5s").run((context) -> {
			FailureAnalysis analysis = StartupFailureTests.analyze(context);

			assertThat(analysis.getDescription())
				.contains("Reason:   'patience' is not a key of retry.policies.<name>.")
				.doesNotContain("did you mean");
			assertThat(analysis.getAction()).contains("The keys of retry.policies.<name> are: max-attempts, "
					+ "base-delay, max-delay, exponential-backoff", "budget", "on-exhausted");
		});
	}

	@Test
	void everyMistakeIsListedInOneReport() {
		this.runner.withPropertyValues("retry.policies.network.max-attemps=7", "retry.polices.fast.max-attempts=2",
				"retry.circuit-breakers.flaky.failure-treshold=1").run((context) -> {
					String description = StartupFailureTests.analyze(context).getDescription();

					assertThat(description).contains("did you mean retry.policies.network.max-attempts?",
							"did you mean retry.policies.fast.max-attempts?",
							"did you mean retry.circuit-breakers.flaky.failure-threshold?");
				});
	}

	@Test
	void aTypoInAnEnvironmentVariableNamesTheVariableAndItsCorrectSpelling(CapturedOutput output) {
		StandardEnvironment environment = environment(Map.of("RETRY_POLICIES_NETWORK_MAXATTEMPS", "7"));

		assertThatException().isThrownBy(() -> new SpringApplicationBuilder(StartupFailureTests.MinimalApplication.class)
			.environment(environment)
			.web(WebApplicationType.NONE)
			.run());

		assertThat(output.getAll()).contains("APPLICATION FAILED TO START",
				"Property: retry.policies.network.maxattemps",
				"Origin:   System Environment Property \"RETRY_POLICIES_NETWORK_MAXATTEMPS\"",
				"did you mean retry.policies.network.max-attempts "
						+ "(environment variable RETRY_POLICIES_NETWORK_MAXATTEMPTS)?");
	}

	@Test
	void environmentVariablesAreCheckedAtEveryLevel() {
		this.runner
			.withInitializer(TestEnvironment.create()
				.variable("RETRY_POLICES_NETWORK_MAXATTEMPTS", "5")
				.variable("RETRY_CIRCUITBREAKERS_FLAKY_FAILURETRESHOLD", "1")
				.variable("RETRY_DEFAULTS_BUDGET_RATION", "0.1")
				.variable("RETRY_FLEET_ENABELD", "true"))
			.run((context) -> {
				String description = StartupFailureTests.analyze(context).getDescription();

				assertThat(description).contains("(environment variable RETRY_POLICIES_NETWORK_MAXATTEMPTS)",
						"(environment variable RETRY_CIRCUITBREAKERS_FLAKY_FAILURETHRESHOLD)",
						"(environment variable RETRY_DEFAULTS_BUDGET_RATIO)",
						"(environment variable RETRY_FLEET_ENABLED)");
			});
	}

	@Test
	void everyFormThatBindsStartsTheMirroredVariablesAndOtherProgramsVariablesIncluded() {
		this.runner
			.withInitializer(TestEnvironment.create()
				.variable("MAX_RETRY_ATTEMPTS", "4")
				.variable("RETRY_BASE_DELAY", "0.2")
				.variable("RETRY_MAX_DELAY", "20")
				.variable("RETRY_EXPONENTIAL_BACKOFF", "true")
				.variable("RETRY_COUNT", "3")
				.variable("RETRY_HOME", "/opt/retry")
				.variable("RETRY_POLICIES_NETWORK_RETRYONSTATUS_0", "503")
				.variable("RETRY_CIRCUITBREAKERS_INVENTORY_FAILURETHRESHOLD", "3")
				.yaml("retry.policies.[inventory.v2].max-attempts", "5")
				.yaml("retry.policies.camel.maxAttempts", "6")
				.yaml("retry.policies.snake.max_attempts", "7")
				.yaml("retry.policies.snake.budget.min_retries_per_second", "2")
				.yaml("retry.policies.network.retry-on[0]", "java.io.IOException")
				.yaml("retry.policies.network.no-retry-on", "java.lang.IllegalArgumentException,java.lang.IllegalStateException")
				.yaml("retry.circuit-breakers.inventory.half-open-max-wait", ""))
			.withInitializer((context) -> context.getEnvironment()
				.getPropertySources()
				.replace(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME,
						new MapPropertySource(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME,
								Map.of("retry.policies.network.jitter", "none", "user.home", "/root"))))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				PolicyRegistry policies = context.getBean(PolicyRegistry.class);
				assertThat(policies.find("inventory.v2").policy().getMaxAttempts()).isEqualTo(5);
				assertThat(policies.find("camel").policy().getMaxAttempts()).isEqualTo(6);
				assertThat(policies.find("snake").policy().getMaxAttempts()).isEqualTo(7);
				assertThat(policies.find("snake").policy().getBudget().minRetriesPerSecond()).isEqualTo(2);
				assertThat(policies.find("network").policy().getRetryOnStatus()).containsExactly(503);
				assertThat(policies.find("network").policy().getJitter()).isEqualTo(Jitter.NONE);
				assertThat(policies.find("network").policy().getBaseDelay()).isEqualTo(Duration.ofMillis(200));
				assertThat(policies.find("default").policy().getMaxAttempts()).isEqualTo(4);
				assertThat(context.getBean(CircuitBreakerRegistry.class).find("inventory").getConfig()
					.getFailureThreshold()).isEqualTo(3);
			});
	}

	@Test
	void withRetryDisabledNothingIsChecked() {
		this.runner.withPropertyValues("retry.enabled=false", "retry.policies.network.max-attemps=7")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(PolicyRegistry.class));
	}

	private static StandardEnvironment environment(Map<String, Object> variables) {
		return new StandardEnvironment() {
			@Override
			public Map<String, Object> getSystemEnvironment() {
				return variables;
			}
		};
	}

}
