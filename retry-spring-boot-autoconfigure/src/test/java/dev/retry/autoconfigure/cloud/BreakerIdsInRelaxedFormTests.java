package dev.retry.autoconfigure.cloud;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.retry.autoconfigure.RetryAutoConfiguration;
import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.breaker.CircuitBreaker;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An environment variable can only write a breaker's name in lower case, letters and digits
 * ({@code RETRY_CIRCUITBREAKERS_INVENTORYCLIENTSTOCKSTRING_FAILURETHRESHOLD} configures
 * {@code inventoryclientstockstring}), while Spring Cloud asks for the id its code makes
 * ({@code InventoryClientstockString}): the id is that configured breaker, never a second one with
 * default settings. The variables here are in the environment's own property source, read by
 * Spring Boot's own rules for it.
 */
@ExtendWith(OutputCaptureExtension.class)
class BreakerIdsInRelaxedFormTests {

	private static final String FEIGN_ID = "InventoryClientstockString";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class, RetrySpringCloudAutoConfiguration.class))
		.withBean(ManualClock.class)
		.withPropertyValues("retry.circuit-breakers.default.failure-threshold=9");

	private static ApplicationContextRunner withVariables(ApplicationContextRunner runner, String... variables) {
		Map<String, Object> environment = new HashMap<>(System.getenv());
		for (int i = 0; i < variables.length; i += 2) {
			environment.put(variables[i], variables[i + 1]);
		}
		return runner.withInitializer((context) -> context.getEnvironment()
			.getPropertySources()
			.replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, new SystemEnvironmentPropertySource(
					StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, environment)));
	}

	@Test
	void anIdIsTheBreakerAnEnvironmentVariableConfiguresUnderItsNameInLowerCase(CapturedOutput output) {
		withVariables(this.runner, "RETRY_CIRCUITBREAKERS_INVENTORYCLIENTSTOCKSTRING_FAILURETHRESHOLD", "2")
			.run((context) -> {
				CircuitBreakerRegistry breakers = context.getBean(CircuitBreakerRegistry.class);
				CircuitBreaker configured = breakers.find("inventoryclientstockstring");

				CircuitBreaker asked = context.getBean(RetryCircuitBreakerFactory.class).create(FEIGN_ID).breaker();

				assertThat(asked).isSameAs(configured);
				assertThat(asked.getConfig().getFailureThreshold()).isEqualTo(2);
				assertThat(context.getBean(RetryReactiveCircuitBreakerFactory.class).create(FEIGN_ID).breaker())
					.isSameAs(configured);
				assertThat(context.getBean(RetryCircuitBreakerFactory.class)
					.create("InventoryClient#stock(String)")
					.breaker()).as("OpenFeign's id without alphanumeric-ids").isSameAs(configured);
				assertThat(breakers.onDemandNames()).isEmpty();
				assertThat(breakers.names()).containsExactly("default", "inventoryclientstockstring");
				assertThat(output).contains("Circuit breaker '" + FEIGN_ID
						+ "' is the configured breaker 'inventoryclientstockstring'");
			});
	}

	@Test
	void anIdWhoseNameSeveralConfiguredBreakersShareInRelaxedFormIsMadeOnDemandWithAWarning(CapturedOutput output) {
		withVariables(this.runner.withPropertyValues("retry.circuit-breakers.inventory-client.failure-threshold=3"),
				"RETRY_CIRCUITBREAKERS_INVENTORYCLIENT_FAILURETHRESHOLD", "2")
			.run((context) -> {
				CircuitBreaker asked = context.getBean(RetryCircuitBreakerFactory.class)
					.create("InventoryClient")
					.breaker();

				assertThat(asked.getConfig().getFailureThreshold()).as("retry.circuit-breakers.default's")
					.isEqualTo(9);
				assertThat(context.getBean(CircuitBreakerRegistry.class).onDemandNames())
					.containsExactly("InventoryClient");
				assertThat(output)
					.contains("Circuit breakers inventory-client, inventoryclient are configured apart")
					.contains("Circuit breaker 'InventoryClient' is not one of the configured breakers "
							+ "inventory-client, inventoryclient");
			});
	}

	/**
	 * A bracketed name keeps its case and punctuation, so Spring Boot binds it apart from the
	 * variable's: two breakers, which start-up points out.
	 */
	@Test
	void anIdOfItsOwnExactNameIsThatBreakerAndAVariableWritingItInLowerCaseIsPointedOut(CapturedOutput output) {
		withVariables(this.runner.withPropertyValues("retry.circuit-breakers.[InventoryClient#stock(String)].failure-threshold=4"),
				"RETRY_CIRCUITBREAKERS_INVENTORYCLIENTSTOCKSTRING_FAILURETHRESHOLD", "2")
			.run((context) -> {
				CircuitBreaker asked = context.getBean(RetryCircuitBreakerFactory.class)
					.create("InventoryClient#stock(String)")
					.breaker();

				assertThat(asked).isSameAs(context.getBean(CircuitBreakerRegistry.class).find("InventoryClient#stock(String)"));
				assertThat(asked.getConfig().getFailureThreshold()).isEqualTo(4);
				assertThat(output).contains(
						"Circuit breakers InventoryClient#stock(String), inventoryclientstockstring are configured apart");
			});
	}

	@Test
	void theDefaultEntryIsNeverABreakerOfAnotherIdInRelaxedForm() {
		this.runner.run((context) -> {
			CircuitBreakerRegistry breakers = context.getBean(CircuitBreakerRegistry.class);

			CircuitBreaker asked = context.getBean(RetryCircuitBreakerFactory.class).create("DEFAULT").breaker();

			assertThat(asked).isNotSameAs(breakers.find("default"));
			assertThat(breakers.onDemandNames()).containsExactly("DEFAULT");
		});
	}

	@Test
	void manyThreadsAskingForAnIdInAnotherFormAllGetTheConfiguredBreakerAndNoneIsMade() throws Exception {
		withVariables(this.runner, "RETRY_CIRCUITBREAKERS_INVENTORYCLIENTSTOCKSTRING_FAILURETHRESHOLD", "2")
			.run((context) -> {
				CircuitBreakerRegistry breakers = context.getBean(CircuitBreakerRegistry.class);
				int threads = 16;
				ExecutorService pool = Executors.newFixedThreadPool(threads);
				CountDownLatch go = new CountDownLatch(1);
				List<Future<CircuitBreaker>> asked = new ArrayList<>();
				try {
					for (int i = 0; i < threads; i++) {
						asked.add(pool.submit(() -> {
							go.await();
							return breakers.getOrCreate(FEIGN_ID);
						}));
					}
					go.countDown();
					for (Future<CircuitBreaker> each : asked) {
						assertThat(each.get(10, TimeUnit.SECONDS)).isSameAs(breakers.find("inventoryclientstockstring"));
					}
				}
				finally {
					pool.shutdownNow();
				}
				assertThat(breakers.onDemandNames()).isEmpty();
			});
	}

}
