package dev.retry.autoconfigure.actuate;

import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.retry.autoconfigure.actuate.CircuitBreakersEndpoint.BreakerDescriptor;
import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.breaker.CircuitBreaker;
import dev.retry.breaker.CircuitBreakerConfig;
import dev.retry.classify.HttpStatusResolver;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.Test;

import org.springframework.core.env.StandardEnvironment;

import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import static org.assertj.core.api.Assertions.assertThat;

class CircuitBreakersEndpointTests {

	private final ManualClock clock = new ManualClock();

	private final CircuitBreaker inventory = new CircuitBreaker(CircuitBreakerConfig.builder("inventory")
		.failureThreshold(2)
		.openDuration(Duration.ofSeconds(30))
		.build(), this.clock, HttpStatusResolver.NONE, List.of());

	private final CircuitBreakerRegistry registry = new CircuitBreakerRegistry(Map.of("inventory", this.inventory));

	private final CircuitBreakersEndpoint endpoint = new CircuitBreakersEndpoint(this.registry,
			RetriesEndpointTests.tuning(new StandardEnvironment(), this.registry), null);

	@Test
	void describesStateCountsAndConfiguration() throws Throwable {
		fail();
		fail();
		this.clock.advance(Duration.ofSeconds(10));

		BreakerDescriptor breaker = this.endpoint.breaker("inventory");

		assertThat(breaker.state()).isEqualTo("open");
		assertThat(breaker.untilHalfOpenMillis()).isEqualTo(20_000L);
		assertThat(breaker.calls().failure()).isEqualTo(2);
		assertThat(breaker.configuration()).containsEntry("failure-threshold", 2).containsEntry("open-duration", "30s");
		assertThat(this.endpoint.breakers()).containsOnlyKeys("inventory");
	}

	@Test
	void unknownNameIsNullSoA404AndNothingIsCreated() {
		assertThat(this.endpoint.breaker("payments")).isNull();
		assertThat(this.endpoint.transition("payments", Map.of("action", "open")).getStatus()).isEqualTo(404);
		assertThat(this.registry.names()).containsExactly("inventory");
	}

	@Test
	void forcesStatesByHand() {
		assertThat(this.endpoint.transition("inventory", Map.of("action", "open")).getStatus()).isEqualTo(200);
		this.clock.advance(Duration.ofHours(1));
		assertThat(this.endpoint.breaker("inventory").state()).as("forced open stays open").isEqualTo("open");
		assertThat(this.endpoint.breaker("inventory").forcedOpen()).isTrue();
		assertThat(this.endpoint.breaker("inventory").untilHalfOpenMillis()).isNull();

		this.endpoint.transition("inventory", Map.of("action", "CLOSE"));
		assertThat(this.inventory.getState().tag()).isEqualTo("closed");
	}

	@Test
	void unknownActionIsA400NamingTheAllowedOnes() {
		WebEndpointResponse<Object> response = this.endpoint.transition("inventory", Map.of("action", "explode"));

		assertThat(response.getStatus()).isEqualTo(400);
		assertThat(response.getBody()).isEqualTo(Map.of("error", "Unknown action 'explode'. Allowed: open, close, reset."));
	}

	@Test
	void healthStaysUpWhileOpenUnlessToldOtherwise() throws Throwable {
		fail();
		fail();

		Health lenient = new CircuitBreakersHealthIndicator(this.registry, false).health();
		Health strict = new CircuitBreakersHealthIndicator(this.registry, true).health();

		assertThat(lenient.getStatus()).isEqualTo(Status.UP);
		assertThat(strict.getStatus()).isEqualTo(Status.DOWN);
		assertThat(lenient.getDetails()).containsKey("inventory");
		assertThat(((Map<?, ?>) lenient.getDetails().get("inventory")).get("state")).isEqualTo("open");
	}

	private void fail() {
		try {
			this.inventory.execute(null, (c, n) -> {
				throw new ConnectException("refused");
			}, 1);
		}
		catch (Throwable expected) {
			// counted
		}
	}

}
