package dev.retry.autoconfigure.fleet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import dev.retry.annotation.CircuitBreaker;
import dev.retry.autoconfigure.RetryAutoConfiguration;
import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.breaker.State;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Five instances calling a service that goes down, each from its own caller at its own pace: how
 * many calls reach the dead service before every instance's breaker is open, and in one half-open
 * round, with breakers of scope local and of scope fleet. The numbers are printed (the README
 * quotes them) and the fleet's advantage is asserted.
 */
class FleetOutageMeasurementTests {

	private static final int INSTANCES = 5;

	private RedisServer redis;

	private final List<ConfigurableApplicationContext> instances = new ArrayList<>();

	@BeforeEach
	void startRedis() {
		this.redis = RedisServer.start();
	}

	@AfterEach
	void stopAll() {
		this.instances.forEach(ConfigurableApplicationContext::close);
		this.redis.close();
	}

	@Test
	void theFleetSendsFewerCallsIntoADeadServiceThanLocalBreakers() throws Exception {
		Outage local = outage("local");
		this.instances.forEach(ConfigurableApplicationContext::close);
		this.instances.clear();
		Outage fleet = outage("fleet");

		System.out.printf("%d instances, failure-threshold 5, open-duration 1s, half-open-calls 2: calls reaching the"
				+ " dead service%n  before every breaker is open:           local %d, fleet %d%n"
				+ "  in the 5 s after (about 4 half-open rounds): local %d, fleet %d%n", INSTANCES, local.beforeOpen(),
				fleet.beforeOpen(), local.whileOpen(), fleet.whileOpen());
		// Locally each instance learns alone: 5 failures each. The fleet opens everywhere at the first.
		assertThat(local.beforeOpen()).isGreaterThanOrEqualTo(5 * INSTANCES);
		assertThat(fleet.beforeOpen()).isLessThan(local.beforeOpen());
		// Locally every instance sends its own trial each round; the fleet at most half-open-calls in all.
		assertThat(fleet.whileOpen()).isLessThan(local.whileOpen());
		assertThat(fleet.whileOpen()).isLessThanOrEqualTo(2 * 6);
	}

	private Outage outage(String scope) throws Exception {
		List<ConfigurableApplicationContext> fleet = new ArrayList<>();
		for (int i = 0; i < INSTANCES; i++) {
			ConfigurableApplicationContext context = new SpringApplicationBuilder(Instance.class)
				.web(WebApplicationType.NONE)
				.properties("spring.main.banner-mode=off",
						"spring.data.redis.port=" + this.redis.port, "retry.fleet.enabled=true",
						"retry.fleet.name=measure-" + scope, "retry.circuit-breakers.dead.failure-threshold=5",
						"retry.circuit-breakers.dead.open-duration=1s", "retry.circuit-breakers.dead.half-open-calls=2",
						"retry.circuit-breakers.dead.scope=" + scope)
				.run();
			this.instances.add(context);
			fleet.add(context);
		}
		AtomicBoolean calling = new AtomicBoolean(true);
		ExecutorService callers = Executors.newFixedThreadPool(INSTANCES);
		for (int i = 0; i < INSTANCES; i++) {
			DeadService service = fleet.get(i).getBean(DeadService.class);
			// Traffic is uneven, as behind a real load balancer: instance i waits 0 to 100 x (i + 1) ms between calls.
			int pause = 100 * (i + 1);
			callers.execute(() -> {
				while (calling.get()) {
					try {
						service.call();
					}
					catch (Exception ex) {
						// Refused, or rejected by the open breaker.
					}
					LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(ThreadLocalRandom.current().nextInt(pause)));
				}
			});
		}
		await().atMost(Duration.ofSeconds(20)).until(() -> fleet.stream().allMatch((i) -> state(i) == State.OPEN));
		int beforeOpen = reached(fleet);
		// The service stays dead: for 5 s no breaker may close, and the trial calls are counted.
		await().during(Duration.ofSeconds(5))
			.atMost(Duration.ofSeconds(7))
			.until(() -> fleet.stream().noneMatch((i) -> state(i) == State.CLOSED));
		int whileOpen = reached(fleet) - beforeOpen;
		calling.set(false);
		callers.shutdown();
		assertThat(callers.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
		return new Outage(beforeOpen, whileOpen);
	}

	private static State state(ConfigurableApplicationContext instance) {
		return instance.getBean(CircuitBreakerRegistry.class).find("dead").getState();
	}

	private static int reached(List<ConfigurableApplicationContext> fleet) {
		return fleet.stream().mapToInt((i) -> i.getBean(DeadService.class).reached()).sum();
	}

	private record Outage(int beforeOpen, int whileOpen) {
	}

	@SpringBootConfiguration
	@ImportAutoConfiguration({ DataRedisAutoConfiguration.class, RetryAutoConfiguration.class,
			RetryFleetAutoConfiguration.class })
	@Import(DeadService.class)
	static class Instance {

	}

	/** A service that is down: it takes 20 ms to refuse each call that reaches it. */
	public static class DeadService {

		private final AtomicInteger reached = new AtomicInteger();

		@CircuitBreaker(name = "dead")
		public void call() throws java.net.ConnectException {
			this.reached.incrementAndGet();
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
			throw new java.net.ConnectException("refused");
		}

		public int reached() {
			return this.reached.get();
		}

	}

}
