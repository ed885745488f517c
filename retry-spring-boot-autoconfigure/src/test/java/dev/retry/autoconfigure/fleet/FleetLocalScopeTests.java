package dev.retry.autoconfigure.fleet;

import java.time.Duration;
import java.util.Map;

import dev.retry.breaker.State;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An operator acting on one instance only ({@code "scope": "local"}): the fleet can tell it from a
 * change for the whole fleet, and never spreads it nor undoes it.
 */
class FleetLocalScopeTests extends FleetInstances {

	/**
	 * {"action": "open", "scope": "local"} opens the breaker on this instance only, also after Redis
	 * blinks (the heartbeat of an instance coming back must not tell the fleet of it).
	 */
	@Test
	void aBreakerForcedOpenWithScopeLocalStaysLocalAfterRedisBlinks() {
		ConfigurableApplicationContext a = instance();
		ConfigurableApplicationContext b = instance();
		await().atMost(Duration.ofSeconds(3)).until(() -> fleet(a).isLinked() && fleet(b).isLinked());

		// What POST /actuator/circuitbreakers/inventory {"action":"open","scope":"local"} does.
		breaker(a, "inventory").forceOpenHere();
		await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(2))
			.until(() -> breaker(b, "inventory").getState() == State.CLOSED);

		this.redis.freeze();
		try {
			await().atMost(Duration.ofSeconds(5)).until(() -> !fleet(a).isLinked());
		}
		finally {
			this.redis.thaw();
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> fleet(a).isLinked() && fleet(b).isLinked());

		await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).untilAsserted(() -> assertThat(
				breaker(b, "inventory").getState())
			.as("b's breaker after a's local-only force open and a Redis blink (opened by %s)",
					breaker(b, "inventory").getOpenedBy())
			.isEqualTo(State.CLOSED));
		assertThat(breaker(a, "inventory").isForcedOpenHere()).isTrue();
	}

	/**
	 * {"action": "close", "scope": "local"} closes the breaker on this instance only; the heartbeat
	 * (every second) does not take the fleet's open state again. The fleet's next change is taken.
	 */
	@Test
	void aBreakerClosedWithScopeLocalStaysClosedWhileTheFleetIsOpen() {
		String longOpen = "retry.circuit-breakers.inventory.open-duration=30s";
		ConfigurableApplicationContext a = instance(longOpen);
		ConfigurableApplicationContext b = instance(longOpen);
		failThreeTimes(a);
		await().atMost(Duration.ofSeconds(2)).until(() -> breaker(b, "inventory").getState() == State.OPEN);

		// What POST /actuator/circuitbreakers/inventory {"action":"close","scope":"local"} does on b.
		breaker(b, "inventory").closeHere();

		await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(3)).untilAsserted(() -> assertThat(
				breaker(b, "inventory").getState())
			.as("b's breaker after a local close (opened by %s)", breaker(b, "inventory").getOpenedBy())
			.isEqualTo(State.CLOSED));

		breaker(a, "inventory").forceOpen();
		await().atMost(Duration.ofSeconds(1)).until(() -> breaker(b, "inventory").isForcedOpen());
	}

	/** "POST /actuator/circuitbreakers/{name} acts fleet-wide unless {"scope":"local"}": a configuration too. */
	@Test
	void aBreakerConfigurationChangeWithScopeLocalStaysOnThisInstance() {
		ConfigurableApplicationContext a = webInstance();
		ConfigurableApplicationContext b = instance();
		await().atMost(Duration.ofSeconds(3)).until(() -> fleet(a).getMembers().size() == 2);

		int status = post(http(a), "/actuator/circuitbreakers/inventory",
				Map.of("configuration.failure-threshold", "9", "scope", "local"));

		assertThat(status).isEqualTo(200);
		assertThat(breaker(a, "inventory").getConfig().getFailureThreshold()).isEqualTo(9);
		await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(2)).untilAsserted(
				() -> assertThat(breaker(b, "inventory").getConfig().getFailureThreshold())
					.as("b's failure-threshold after a scope-local change on a")
					.isEqualTo(3));

		assertThat(post(http(a), "/actuator/circuitbreakers/inventory", Map.of("configuration.open-duration", "7s")))
			.isEqualTo(200);
		await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(
				breaker(b, "inventory").getConfig().getOpenDuration())
			.as("b's open-duration after a change for the fleet")
			.isEqualTo(Duration.ofSeconds(7)));
		assertThat(breaker(b, "inventory").getConfig().getFailureThreshold()).isEqualTo(3);
	}

}
