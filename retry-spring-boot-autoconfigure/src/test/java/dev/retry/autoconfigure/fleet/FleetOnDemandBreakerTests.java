package dev.retry.autoconfigure.fleet;

import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.CircuitBreakerOpenException;
import dev.retry.autoconfigure.RetryAutoConfiguration;
import dev.retry.autoconfigure.cloud.RetryCircuitBreakerFactory;
import dev.retry.autoconfigure.cloud.RetryReactiveCircuitBreakerFactory;
import dev.retry.autoconfigure.cloud.RetrySpringCloudAutoConfiguration;
import dev.retry.breaker.CircuitBreaker;
import dev.retry.breaker.State;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.cloud.client.circuitbreaker.ReactiveCircuitBreaker;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Breakers made on demand for Spring Cloud ids are shared with the fleet like configured ones,
 * through a real redis-server: linked when made, and given the state the fleet holds for them.
 */
class FleetOnDemandBreakerTests extends FleetInstances {

	private static final String FEIGN_ID = "InventoryClient#stock(String)";

	/** Breakers made on demand take retry.circuit-breakers.default: 2 failures open them for 30 s. */
	@Override
	String[] base() {
		return new String[] { "spring.main.banner-mode=off", "spring.data.redis.port=" + this.redis.port,
				"retry.fleet.enabled=true", "retry.fleet.name=shop",
				"retry.circuit-breakers.default.failure-threshold=2",
				"retry.circuit-breakers.default.open-duration=30s" };
	}

	@Override
	ConfigurableApplicationContext instance(String... properties) {
		return instance(Instance.class, properties);
	}

	private static CircuitBreaker onDemand(ConfigurableApplicationContext context, String id) {
		return context.getBean(RetryCircuitBreakerFactory.class).create(id).breaker();
	}

	private static void failTwice(ConfigurableApplicationContext context, String id) {
		AtomicInteger reached = new AtomicInteger();
		for (int i = 0; i < 2; i++) {
			context.getBean(RetryCircuitBreakerFactory.class).create(id).run(() -> {
				reached.incrementAndGet();
				throw new IllegalStateException(new ConnectException("Connection refused"));
			}, (failure) -> "fallback");
		}
		assertThat(reached).hasValue(2);
	}

	@Test
	void aBreakerMadeOnDemandOpensEveryInstanceAndOneMadeLaterTakesTheFleetsState() {
		ConfigurableApplicationContext a = instance();
		ConfigurableApplicationContext b = instance();
		CircuitBreaker onB = onDemand(b, FEIGN_ID);
		assertThat(b.getBean(RedisFleet.class).getSharedBreakers()).contains(FEIGN_ID);

		failTwice(a, FEIGN_ID);

		await().atMost(Duration.ofSeconds(2)).until(() -> onB.getState() == State.OPEN);
		assertThat(onB.getOpenedBy()).isEqualTo(a.getBean(RedisFleet.class).getInstance());
		ConfigurableApplicationContext c = instance();
		CircuitBreaker onC = onDemand(c, FEIGN_ID);
		await().atMost(Duration.ofSeconds(2)).until(() -> onC.getState() == State.OPEN);
		assertThat(onC.untilHalfOpen()).isCloseTo(onDemand(a, FEIGN_ID).untilHalfOpen(), Duration.ofSeconds(2));
	}

	@Test
	void breakersMadeOnDemandTakeTheScopeOfTheDefaultEntry() {
		String[] local = { "retry.circuit-breakers.default.scope=local" };
		ConfigurableApplicationContext a = instance(local);
		ConfigurableApplicationContext b = instance(local);
		CircuitBreaker onB = onDemand(b, FEIGN_ID);

		failTwice(a, FEIGN_ID);

		assertThat(onDemand(a, FEIGN_ID).getState()).isEqualTo(State.OPEN);
		assertThat(a.getBean(RedisFleet.class).getSharedBreakers()).doesNotContain(FEIGN_ID);
		// A heartbeat a second would have brought the open state over by then, had it been shared.
		await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() -> onB.getState() == State.CLOSED);
	}

	@Test
	void aNameHoldingTheMessagesSeparatorIsSharedLikeAnyOther() {
		ConfigurableApplicationContext a = instance();
		ConfigurableApplicationContext b = instance();

		CircuitBreaker odd = onDemand(a, "route|a");
		CircuitBreaker onB = onDemand(b, "route|a");

		assertThat(odd.getLink().isShared()).isTrue();
		assertThat(a.getBean(RedisFleet.class).getSharedBreakers()).contains("route|a");
		odd.forceOpen();
		await().atMost(Duration.ofSeconds(2)).until(onB::isForcedOpen);
	}

	/**
	 * A Feign method called for the first time on an instance, while the fleet holds its breaker
	 * open: the breaker is made with the fleet's state, as an instance starting during an outage
	 * starts with it, and the call is rejected rather than sent to the downstream that is down.
	 */
	@Test
	void aBreakerMadeOnDemandWhileTheFleetHoldsItOpenRejectsItsFirstCall() {
		ConfigurableApplicationContext a = instance();
		ConfigurableApplicationContext b = instance();
		CircuitBreaker onB = onDemand(b, FEIGN_ID);
		failTwice(a, FEIGN_ID);
		// Once b has it, the fleet's state key holds it too.
		await().atMost(Duration.ofSeconds(2)).until(() -> onB.getState() == State.OPEN);
		ConfigurableApplicationContext c = instance();
		AtomicInteger reached = new AtomicInteger();

		String first = c.getBean(RetryCircuitBreakerFactory.class).create(FEIGN_ID).run(() -> {
			reached.incrementAndGet();
			return "stock";
		}, (failure) -> (failure instanceof CircuitBreakerOpenException) ? "rejected" : "failed: " + failure);

		assertThat(reached).as("calls that reached the downstream the fleet knows is down").hasValue(0);
		assertThat(first).isEqualTo("rejected");
	}

	/**
	 * Gateway subscribes on a Netty event loop: a half-open trial through a route's breaker shared
	 * with the fleet must not hold that thread while it asks Redis for a trial permit.
	 */
	@Test
	void aTrialSubscriptionThroughAFleetBreakerNeverWaitsForRedis() throws Exception {
		ConfigurableApplicationContext a = instance("retry.fleet.operation-timeout=5s",
				"retry.circuit-breakers.default.failure-threshold=1", "retry.circuit-breakers.default.open-duration=100ms");
		ReactiveCircuitBreaker route = a.getBean(RetryReactiveCircuitBreakerFactory.class).create("inventory-route");
		CircuitBreaker breaker = onDemand(a, "inventory-route");
		route.run(Mono.<String>error(new IllegalStateException(new ConnectException("Connection refused"))),
				(failure) -> Mono.just("fallback")).block(Duration.ofSeconds(5));
		assertThat(breaker.getLink().isShared()).isTrue();
		await().atMost(Duration.ofSeconds(2))
			.until(() -> breaker.getState() == State.OPEN
					&& (breaker.untilHalfOpen().isZero() || breaker.untilHalfOpen().isNegative()));
		ExecutorService eventLoop = Executors.newSingleThreadExecutor();
		this.redis.freeze();
		try {
			Sinks.One<String> answer = Sinks.one();
			Future<Disposable> subscribed = eventLoop
				.submit(() -> route.run(answer.asMono(), (failure) -> Mono.just("fallback")).subscribe());

			await().atMost(Duration.ofSeconds(1)).until(subscribed::isDone);
			subscribed.get().dispose();
		}
		finally {
			this.redis.thaw();
			eventLoop.shutdownNow();
		}
	}

	@SpringBootConfiguration
	@ImportAutoConfiguration({ DataRedisAutoConfiguration.class, RetryAutoConfiguration.class,
			RetryFleetAutoConfiguration.class, RetrySpringCloudAutoConfiguration.class })
	static class Instance {

	}

}
