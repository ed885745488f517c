package dev.retry.autoconfigure.cloud;

import java.util.Map;

import dev.retry.autoconfigure.RetryAutoConfiguration;
import dev.retry.autoconfigure.actuate.CircuitBreakersEndpoint;
import dev.retry.autoconfigure.actuate.RetryActuatorAutoConfiguration;
import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.autoconfigure.config.RetryTuning;
import dev.retry.autoconfigure.diagnostics.RetryConfigurationException;
import dev.retry.breaker.CircuitBreaker;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Runtime overrides of breakers Spring Cloud names in code, made on first use: checked as the breaker
 * is (or will be) made, whatever its id, and never a weight on other changes.
 */
class OnDemandBreakerTuningTests {

	private static final String FEIGN_ID = "InventoryClient#stock(String)";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class, RetrySpringCloudAutoConfiguration.class,
				RetryActuatorAutoConfiguration.class))
		.withBean(ManualClock.class)
		.withPropertyValues("retry.circuit-breakers.inventory.failure-threshold=3",
				"retry.circuit-breakers.default.sliding-window-size=10", "retry.circuit-breakers.default.minimum-calls=5",
				"management.endpoints.web.exposure.include=circuitbreakers");

	@Test
	void anOverrideOfAnIdNotMadeYetIsCheckedWithTheDefaultEntryItWillBeMadeWith() {
		this.runner.run((context) -> {
			RetryTuning tuning = context.getBean(RetryTuning.class);

			assertThatExceptionOfType(RetryConfigurationException.class)
				.isThrownBy(() -> tuning.overrideBreaker(FEIGN_ID, Map.of("minimum-calls", "50"), "fleet"))
				.withMessageContaining("retry.circuit-breakers.[" + FEIGN_ID + "].minimum-calls")
				.satisfies((ex) -> assertThat(ex.getAction()).contains("sliding-window-size (10)"));
			tuning.overrideBreaker(FEIGN_ID, Map.of("minimum-calls", "8"), "fleet");
			CircuitBreaker made = context.getBean(RetryCircuitBreakerFactory.class).create(FEIGN_ID).breaker();

			assertThat(made.getConfig().getMinimumCalls()).isEqualTo(8);
			assertThat(made.getConfig().getSlidingWindowSize()).isEqualTo(10);
		});
	}

	@Test
	void aChangeThatABreakersEarlierOverrideCannotTakeIsRefusedAndOthersStillApply() {
		this.runner.run((context) -> {
			RetryTuning tuning = context.getBean(RetryTuning.class);
			CircuitBreaker feign = context.getBean(RetryCircuitBreakerFactory.class).create(FEIGN_ID).breaker();
			tuning.overrideBreaker(FEIGN_ID, Map.of("sliding-window-size", "100", "minimum-calls", "50"), "actuator");

			assertThatExceptionOfType(RetryConfigurationException.class)
				.isThrownBy(() -> tuning.overrideBreaker(FEIGN_ID, Map.of("sliding-window-size", "20"), "actuator"))
				.withMessageContaining("minimum-calls");
			tuning.overrideBreaker("inventory", Map.of("failure-threshold", "4"), "actuator");
			tuning.reload("environment change");

			assertThat(context.getBean(CircuitBreakerRegistry.class).find("inventory").getConfig().getFailureThreshold())
				.isEqualTo(4);
			assertThat(feign.getConfig().getMinimumCalls()).isEqualTo(50);
			assertThat(tuning.lastReloadError()).isNull();
		});
	}

	/** The default entry is part of what a breaker not made yet will be made with. */
	@Test
	void aChangeOfTheDefaultEntryThatAnOverrideOfABreakerNotMadeYetCannotTakeIsRefused() {
		this.runner.run((context) -> {
			RetryTuning tuning = context.getBean(RetryTuning.class);
			tuning.overrideBreaker(FEIGN_ID, Map.of("minimum-calls", "8"), "fleet");

			assertThatExceptionOfType(RetryConfigurationException.class)
				.isThrownBy(() -> tuning.overrideBreaker("default", Map.of("sliding-window-size", "6"), "actuator"))
				.withMessageContaining("minimum-calls");
			CircuitBreaker made = context.getBean(RetryCircuitBreakerFactory.class).create(FEIGN_ID).breaker();

			assertThat(made.getConfig().getMinimumCalls()).isEqualTo(8);
			assertThat(made.getConfig().getSlidingWindowSize()).isEqualTo(10);
			assertThat(tuning.lastReloadError()).isNull();
		});
	}

	/** The fleet may pass on an override of a route's breaker before this instance has made it. */
	@Test
	void anIdNoPropertyCanHoldIsTunedBeforeAndAfterItIsMadeAndShownAsWritten() {
		this.runner.run((context) -> {
			RetryTuning tuning = context.getBean(RetryTuning.class);
			CircuitBreakersEndpoint endpoint = context.getBean(CircuitBreakersEndpoint.class);
			tuning.overrideBreaker("legacy]route", Map.of("failure-threshold", "2"), "fleet");

			CircuitBreaker made = context.getBean(RetryCircuitBreakerFactory.class).create("legacy]route").breaker();
			int madeWith = made.getConfig().getFailureThreshold();
			WebEndpointResponse<Object> invalid = endpoint.transition("legacy]route",
					Map.of("configuration.minimum-calls", "50"));
			WebEndpointResponse<Object> cleared = endpoint.clear("legacy]route");

			assertThat(madeWith).as("set before it was made").isEqualTo(2);
			assertThat(invalid.getStatus()).isEqualTo(400);
			assertThat(String.valueOf(invalid.getBody()))
				.contains("retry.circuit-breakers.[legacy]route].minimum-calls")
				.doesNotContain("%5D");
			assertThat(cleared.getStatus()).isEqualTo(200);
			assertThat(made.getConfig().getFailureThreshold()).as("the library's, default sets none").isEqualTo(5);
			assertThat(made.getConfig().getSlidingWindowSize()).as("retry.circuit-breakers.default's").isEqualTo(10);
		});
	}

	@Test
	void anIdWithMatchedBracketsIsConfiguredAsWrittenAndTunedAsAnyOther() {
		this.runner.withPropertyValues("retry.circuit-breakers.[v[2]].failure-threshold=7").run((context) -> {
			CircuitBreakersEndpoint endpoint = context.getBean(CircuitBreakersEndpoint.class);
			CircuitBreaker configured = context.getBean(RetryCircuitBreakerFactory.class).create("v[2]").breaker();
			CircuitBreaker made = context.getBean(RetryCircuitBreakerFactory.class).create("[v3]").breaker();

			assertThat(endpoint.transition("v[2]", Map.of("configuration.half-open-calls", "3")).getStatus())
				.isEqualTo(200);
			assertThat(endpoint.transition("[v3]", Map.of("configuration.failure-threshold", "4")).getStatus())
				.isEqualTo(200);

			assertThat(configured).isSameAs(context.getBean(CircuitBreakerRegistry.class).find("v[2]"));
			assertThat(configured.getConfig().getFailureThreshold()).isEqualTo(7);
			assertThat(configured.getConfig().getHalfOpenCalls()).isEqualTo(3);
			assertThat(made.getConfig().getFailureThreshold()).isEqualTo(4);
			assertThat(context.getBean(CircuitBreakerRegistry.class).onDemandNames()).containsExactly("[v3]");
		});
	}

}
