package dev.retry.autoconfigure.fleet;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.autoconfigure.config.PolicyRegistry;
import dev.retry.autoconfigure.config.RetryTuning;
import dev.retry.breaker.State;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Runtime overrides through the fleet's tuning channel: applied in the fleet's order, by the
 * fleet's one thread, checked like a change over HTTP, and made up for by an instance that missed
 * them.
 */
class FleetTuningChannelTests extends FleetInstances {

	private static final String CHANNEL = "retry:shop:tuning";

	/** Versions of the messages these tests publish themselves, increasing as the fleet's would. */
	private final AtomicLong version = new AtomicLong(1_000);

	private String message(String kind, String name, String values) {
		return "v2|shop|otherhost-1-abcd|" + this.version.incrementAndGet() + "|" + kind + "|" + name + "|" + values;
	}

	/**
	 * Changes made one after the other on one instance ("the last write wins whole") end with the
	 * same value on the other instances.
	 */
	@Test
	void successiveOverridesOnOneInstanceEndWithTheSameValueOnEveryInstance() {
		ConfigurableApplicationContext a = instance();
		ConfigurableApplicationContext b = instance();
		await().atMost(Duration.ofSeconds(3)).until(() -> fleet(a).getMembers().size() == 2);
		RetryTuning tuning = a.getBean(RetryTuning.class);
		for (int burst = 0; burst < 15; burst++) {
			for (int attempts = 1; attempts <= 12; attempts++) {
				tuning.overridePolicy("network", Map.of("max-attempts", Integer.toString(attempts)), "actuator");
			}
			assertThat(maxAttempts(a, "network")).isEqualTo(12);
			int round = burst;
			await().pollDelay(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(2)).untilAsserted(
					() -> assertThat(maxAttempts(b, "network")).as("b's max-attempts after burst %d (a has 12)", round)
						.isEqualTo(12));
			tuning.overridePolicy("network", Map.of("max-attempts", "3"), "actuator");
			await().atMost(Duration.ofSeconds(2)).until(() -> maxAttempts(b, "network") == 3);
		}
		assertThat(maxAttempts(a, "network")).isEqualTo(3);
	}

	/**
	 * The receiving side alone: tuning messages published one after the other (Redis delivers them
	 * in that order, each with a later version) end with the last one's values.
	 */
	@Test
	void tuningMessagesAreAppliedInTheOrderTheyWerePublished() {
		ConfigurableApplicationContext a = instance();
		StringRedisTemplate redis = a.getBean(StringRedisTemplate.class);
		for (int burst = 0; burst < 3; burst++) {
			for (int attempts = 1; attempts <= 20; attempts++) {
				redis.convertAndSend(CHANNEL, message("policy", "network", "max-attempts=" + attempts));
			}
			int round = burst;
			await().pollDelay(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).untilAsserted(
					() -> assertThat(maxAttempts(a, "network")).as("max-attempts after burst %d of 1..20", round)
						.isEqualTo(20));
			redis.convertAndSend(CHANNEL, message("policy", "network", "max-attempts=3"));
			await().atMost(Duration.ofSeconds(2)).until(() -> maxAttempts(a, "network") == 3);
		}
		// An older version arriving late changes nothing.
		long stale = this.version.get() - 5;
		redis.convertAndSend(CHANNEL, "v2|shop|otherhost-1-abcd|" + stale + "|policy|network|max-attempts=7");
		await().during(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(2))
			.until(() -> maxAttempts(a, "network") == 3);
	}

	/** A burst of messages on the channel (any publisher) costs no thread per message. */
	@Test
	void aBurstOfTuningMessagesDoesNotMakeAThreadPerMessage() {
		ConfigurableApplicationContext a = instance();
		StringRedisTemplate redis = a.getBean(StringRedisTemplate.class);
		ThreadMXBean threads = ManagementFactory.getThreadMXBean();
		int before = threads.getThreadCount();
		threads.resetPeakThreadCount();

		for (int i = 0; i < 2000; i++) {
			redis.convertAndSend(CHANNEL, message("policy", "network", "max-attempts=4"));
		}
		await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> maxAttempts(a, "network") == 4);
		int peak = threads.getPeakThreadCount();

		await().atMost(Duration.ofSeconds(60)).until(() -> threads.getThreadCount() < before + 20);
		assertThat(peak - before).as("threads started by 2000 messages (before: %d)", before).isLessThan(100);
	}

	/**
	 * "Messages from Redis are data, not orders: malformed or unknown are ignored and counted." A
	 * tuning message naming a policy this instance does not have creates nothing.
	 */
	@Test
	void aTuningMessageAboutAnUnknownPolicyOrBreakerIsIgnoredAndCounted() {
		ConfigurableApplicationContext a = instance();
		StringRedisTemplate redis = a.getBean(StringRedisTemplate.class);
		long ignored = fleet(a).getIgnoredMessages();

		redis.convertAndSend(CHANNEL, message("policy", "made-up", "max-attempts=5"));
		await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
			.until(() -> fleet(a).getIgnoredMessages() > ignored
					|| a.getBean(PolicyRegistry.class).find("made-up") != null);

		assertThat(a.getBean(PolicyRegistry.class).names()).as("policies after a message about 'made-up'")
			.doesNotContain("made-up");
		assertThat(fleet(a).getIgnoredMessages()).isEqualTo(ignored + 1);
	}

	/** As above, for a breaker. */
	@Test
	void aTuningMessageAboutAnUnknownBreakerIsIgnoredAndCounted() {
		ConfigurableApplicationContext a = instance();
		StringRedisTemplate redis = a.getBean(StringRedisTemplate.class);
		long ignored = fleet(a).getIgnoredMessages();

		redis.convertAndSend(CHANNEL, message("breaker", "made-up", "failure-threshold=5"));

		await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).untilAsserted(
				() -> assertThat(fleet(a).getIgnoredMessages()).as("ignored messages after one about breaker 'made-up'")
					.isEqualTo(ignored + 1));
		assertThat(a.getBean(CircuitBreakerRegistry.class).names()).doesNotContain("made-up");
	}

	/**
	 * With management.endpoint.*.access=read-only, writes over HTTP are refused; the same write
	 * arriving on the fleet's channel (anyone who can PUBLISH on Redis) is refused too.
	 */
	@Test
	void readOnlyEndpointsDoNotTakeRuntimeChangesFromTheTuningChannel() {
		ConfigurableApplicationContext a = webInstance("management.endpoint.retries.access=read-only",
				"management.endpoint.circuitbreakers.access=read-only");
		assertThat(post(http(a), "/actuator/retries/network", Map.of("max-attempts", "9"))).isIn(404, 405);
		assertThat(maxAttempts(a, "network")).isEqualTo(3);
		long ignored = fleet(a).getIgnoredMessages();

		a.getBean(StringRedisTemplate.class).convertAndSend(CHANNEL, message("policy", "network", "max-attempts=9"));
		a.getBean(StringRedisTemplate.class)
			.convertAndSend(CHANNEL, message("breaker", "inventory", "failure-threshold=1"));

		await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(2)).untilAsserted(() -> {
			assertThat(maxAttempts(a, "network")).as("network max-attempts, endpoints read-only").isEqualTo(3);
			assertThat(breaker(a, "inventory").getConfig().getFailureThreshold())
				.as("inventory failure-threshold, endpoints read-only")
				.isEqualTo(3);
		});
		assertThat(fleet(a).getIgnoredMessages()).isEqualTo(ignored + 2);
	}

	/**
	 * An operator's open, close or reset is a write to {@code circuitbreakers}: an instance whose
	 * endpoint is read-only does not take one from the channel, while the states its fleet's calls
	 * make it takes as ever.
	 */
	@Test
	void aReadOnlyCircuitBreakersEndpointTakesTheFleetsStatesButNoOperatorsAction() {
		ConfigurableApplicationContext a = instance();
		ConfigurableApplicationContext b = webInstance("management.endpoint.circuitbreakers.access=read-only");
		await().atMost(Duration.ofSeconds(3)).until(() -> fleet(a).getMembers().size() == 2);
		long ignored = fleet(b).getIgnoredMessages();

		breaker(a, "inventory").forceOpen();
		await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(2))
			.until(() -> breaker(b, "inventory").getState() == State.CLOSED);
		assertThat(fleet(b).getIgnoredMessages()).isEqualTo(ignored + 1);

		breaker(a, "inventory").closeHere();
		failThreeTimes(a);
		await().atMost(Duration.ofSeconds(1)).until(() -> breaker(b, "inventory").getState() == State.OPEN);
	}

	/** "Runtime overrides reach every instance too": an instance that starts (scale-out, restart) after one too. */
	@Test
	void anInstanceStartingAfterARuntimeOverrideRunsTheFleetsValues() {
		ConfigurableApplicationContext a = instance();
		a.getBean(RetryTuning.class).overridePolicy("network", Map.of("max-attempts", "5"), "actuator");
		ConfigurableApplicationContext b = instance();

		await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(maxAttempts(b, "network"))
			.as("network max-attempts on b, started after a set it to 5 (a: %d)", maxAttempts(a, "network"))
			.isEqualTo(5));
	}

	/**
	 * An instance cut off from Redis while an override was made takes it when Redis answers again;
	 * one made on an instance while Redis was down (and lost everything) reaches the fleet when it
	 * answers again, beside what the fleet held before.
	 */
	@Test
	void overridesMadeDuringAPartitionReachEveryInstanceWhenRedisAnswersAgain() throws Exception {
		try (CuttableProxy partition = new CuttableProxy(this.redis.port)) {
			ConfigurableApplicationContext a = instance();
			ConfigurableApplicationContext b = instance("spring.data.redis.port=" + partition.port(),
					"spring.data.redis.timeout=500ms");
			await().atMost(Duration.ofSeconds(3)).until(() -> fleet(a).getMembers().size() == 2);

			partition.cut();
			await().atMost(Duration.ofSeconds(5)).until(() -> !fleet(b).isLinked());
			a.getBean(RetryTuning.class).overridePolicy("network", Map.of("max-attempts", "6"), "actuator");
			await().during(Duration.ofMillis(500)).until(() -> maxAttempts(b, "network") == 3);
			partition.restore();
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(maxAttempts(b, "network"))
				.as("b's max-attempts, set on a while b was cut off")
				.isEqualTo(6));

			this.redis.kill();
			await().atMost(Duration.ofSeconds(5)).until(() -> !fleet(a).isLinked());
			a.getBean(RetryTuning.class).overridePolicy("network", Map.of("base-delay", "250ms"), "actuator");
			this.redis.startProcess();

			await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(
					b.getBean(PolicyRegistry.class).find("network").policy().getBaseDelay())
				.as("b's base-delay, set on a while Redis was down")
				.isEqualTo(Duration.ofMillis(250)));
			ConfigurableApplicationContext c = instance();
			assertThat(c.getBean(PolicyRegistry.class).find("network").policy().getBaseDelay())
				.isEqualTo(Duration.ofMillis(250));
			assertThat(maxAttempts(c, "network")).as("what the fleet held before Redis lost it").isEqualTo(6);
		}
	}

	/**
	 * Two instances tuning the same key at once, from many threads each (two operators, or an
	 * operator and a script): every instance ends with the same value, the one the fleet holds.
	 */
	@Test
	void twoInstancesTuningTheSameKeyAtOnceEndWithTheSameValueEverywhere() throws Exception {
		ConfigurableApplicationContext a = instance();
		ConfigurableApplicationContext b = instance();
		ConfigurableApplicationContext c = instance();
		await().atMost(Duration.ofSeconds(3)).until(() -> fleet(a).getMembers().size() == 3);
		List<RetryTuning> tuners = List.of(a.getBean(RetryTuning.class), b.getBean(RetryTuning.class));
		ExecutorService operators = Executors.newFixedThreadPool(8);
		CountDownLatch go = new CountDownLatch(1);
		List<Future<?>> writes = new ArrayList<>();
		try {
			for (int thread = 0; thread < 8; thread++) {
				RetryTuning tuning = tuners.get(thread % 2);
				int first = 2 + thread * 25;
				writes.add(operators.submit(() -> {
					go.await();
					for (int attempts = first; attempts < first + 25; attempts++) {
						tuning.overridePolicy("network", Map.of("max-attempts", Integer.toString(attempts)), "actuator");
					}
					return null;
				}));
			}
			go.countDown();
			for (Future<?> write : writes) {
				write.get(30, TimeUnit.SECONDS);
			}
		}
		finally {
			operators.shutdownNow();
		}
		StringRedisTemplate redis = a.getBean(StringRedisTemplate.class);
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			String held = (String) redis.opsForHash().get("retry:shop:tuning", "policy:network");
			assertThat(held).isNotNull();
			int fleetValue = Integer.parseInt(held.substring(held.indexOf("max-attempts=") + "max-attempts=".length()));
			assertThat(List.of(maxAttempts(a, "network"), maxAttempts(b, "network"), maxAttempts(c, "network")))
				.as("max-attempts on a, b, c; the fleet holds %d", fleetValue)
				.containsOnly(fleetValue);
		});
	}

	/**
	 * A change made on an instance that shuts down before its heartbeat could send it (Redis was
	 * down and has just come back: a rolling restart after an incident) still reaches the fleet:
	 * stopping sends what is pending, waiting at most a bounded time.
	 */
	@Test
	void aChangeStillUnsentWhenTheInstanceShutsDownReachesTheFleet() {
		ConfigurableApplicationContext a = instance();
		ConfigurableApplicationContext b = instance();
		await().atMost(Duration.ofSeconds(3)).until(() -> fleet(a).getMembers().size() == 2);
		this.redis.kill();
		await().atMost(Duration.ofSeconds(5)).until(() -> !fleet(a).isLinked());
		a.getBean(RetryTuning.class).overridePolicy("network", Map.of("max-attempts", "6"), "actuator");
		this.redis.startProcess();

		long start = System.nanoTime();
		a.close();
		Duration closing = Duration.ofNanos(System.nanoTime() - start);

		assertThat(closing).as("closing an instance with a change to send").isLessThan(Duration.ofSeconds(4));
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(maxAttempts(b, "network"))
			.as("b's max-attempts, set on a just before it shut down")
			.isEqualTo(6));
	}

	/** Shutting down while Redis does not answer at all takes a bounded time, however much is pending. */
	@Test
	void shuttingDownWithChangesPendingAndRedisGoneTakesABoundedTime() {
		ConfigurableApplicationContext a = instance();
		await().atMost(Duration.ofSeconds(3)).until(() -> fleet(a).isLinked());
		this.redis.freeze();
		for (int attempts = 2; attempts < 12; attempts++) {
			a.getBean(RetryTuning.class).overridePolicy("network", Map.of("max-attempts", Integer.toString(attempts)),
					"actuator");
		}

		long start = System.nanoTime();
		a.close();

		assertThat(Duration.ofNanos(System.nanoTime() - start)).as("closing with Redis frozen")
			.isLessThan(Duration.ofSeconds(8));
	}

}
