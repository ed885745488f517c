package dev.retry.autoconfigure.fleet;

import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.retry.CircuitBreakerOpenException;
import dev.retry.annotation.CircuitBreaker;
import dev.retry.autoconfigure.RetryAutoConfiguration;
import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.breaker.State;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.http.MediaType;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * Several application contexts in one JVM, each its own instance with its own Lettuce connection,
 * sharing breakers through a real redis-server.
 */
@ExtendWith(OutputCaptureExtension.class)
class FleetTests extends FleetInstances {

	/** An instance without a web server, whose downstream is {@link Inventory}. */
	@Override
	ConfigurableApplicationContext instance(String... properties) {
		return instance(Instance.class, properties);
	}

	private static void stockFailsThreeTimes(ConfigurableApplicationContext context) {
		Inventory inventory = context.getBean(Inventory.class);
		inventory.failing(true);
		for (int i = 0; i < 3; i++) {
			assertThat(catchThrowable(inventory::stock)).isInstanceOf(ConnectException.class);
		}
		inventory.failing(false);
	}

	@Test
	void oneInstanceOpeningOpensEveryInstanceWithinASecondUntilTheSameMoment(CapturedOutput output) {
		ConfigurableApplicationContext a = instance();
		ConfigurableApplicationContext b = instance();
		ConfigurableApplicationContext c = instance();

		stockFailsThreeTimes(a);

		await().atMost(Duration.ofSeconds(1))
			.untilAsserted(() -> assertThat(List.of(breaker(b, "inventory").getState(),
					breaker(c, "inventory").getState())).containsOnly(State.OPEN));
		assertThat(breaker(b, "inventory").getOpenedBy()).isEqualTo(fleet(a).getInstance());
		assertThat(breaker(b, "inventory").untilHalfOpen())
			.isCloseTo(breaker(a, "inventory").untilHalfOpen(), Duration.ofMillis(200));
		assertThat(catchThrowable(b.getBean(Inventory.class)::stock))
			.isInstanceOf(CircuitBreakerOpenException.class);
		assertThat(output).contains("Circuit breaker 'inventory' closed -> open: opened by " + fleet(a).getInstance()
				+ ": 3 consecutive failures");
		await().atMost(Duration.ofSeconds(3))
			.untilAsserted(() -> assertThat(fleet(a).getMembers()).containsExactlyInAnyOrder(fleet(a).getInstance(),
					fleet(b).getInstance(), fleet(c).getInstance()));
	}

	@Test
	void aLocalScopedBreakerStaysThisInstancesAlone() {
		ConfigurableApplicationContext a = instance();
		ConfigurableApplicationContext b = instance();
		Inventory inventory = a.getBean(Inventory.class);
		inventory.failing(true);
		for (int i = 0; i < 3; i++) {
			catchThrowable(inventory::catalog);
		}
		inventory.failing(false);
		assertThat(breaker(a, "catalog").getState()).isEqualTo(State.OPEN);
		assertThat(fleet(a).getSharedBreakers()).containsExactly("inventory");
		// Give a message time to arrive, had one been sent.
		stockFailsThreeTimes(a);
		await().atMost(Duration.ofSeconds(1)).until(() -> breaker(b, "inventory").getState() == State.OPEN);
		assertThat(breaker(b, "catalog").getState()).isEqualTo(State.CLOSED);
	}

	@Test
	void exactlyHalfOpenCallsTrialsPassAcrossTheFleetAndTheirSuccessClosesEveryInstance() throws Exception {
		List<ConfigurableApplicationContext> fleet = List.of(instance(), instance(), instance());
		stockFailsThreeTimes(fleet.get(0));
		await().atMost(Duration.ofSeconds(1))
			.until(() -> fleet.stream().allMatch((i) -> breaker(i, "inventory").getState() == State.OPEN));
		await().atMost(Duration.ofSeconds(3))
			.until(() -> breaker(fleet.get(0), "inventory").untilHalfOpen().isZero());

		int enteredBefore = fleet.stream().mapToInt((i) -> i.getBean(Inventory.class).entered()).sum();
		CountDownLatch release = new CountDownLatch(1);
		fleet.forEach((i) -> i.getBean(Inventory.class).hold(release));
		ExecutorService callers = Executors.newFixedThreadPool(24);
		CountDownLatch go = new CountDownLatch(1);
		List<Future<Object>> calls = new ArrayList<>();
		for (int i = 0; i < 24; i++) {
			Inventory inventory = fleet.get(i % 3).getBean(Inventory.class);
			calls.add(callers.submit(() -> {
				go.await();
				try {
					return inventory.stock();
				}
				catch (Throwable ex) {
					return ex;
				}
			}));
		}
		go.countDown();
		await().atMost(Duration.ofSeconds(5))
			.until(() -> calls.stream().filter(Future::isDone).count() == 22);
		int entered = fleet.stream().mapToInt((i) -> i.getBean(Inventory.class).entered()).sum() - enteredBefore;
		assertThat(entered).as("trial calls that reached the downstream, fleet-wide").isEqualTo(2);
		release.countDown();
		callers.shutdown();
		assertThat(callers.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
		long rejected = calls.stream().filter((f) -> {
			try {
				return f.get() instanceof CircuitBreakerOpenException;
			}
			catch (Exception ex) {
				return false;
			}
		}).count();
		assertThat(rejected).isEqualTo(22);
		await().atMost(Duration.ofSeconds(1))
			.until(() -> fleet.stream().allMatch((i) -> breaker(i, "inventory").getState() == State.CLOSED));
	}

	@Test
	void oneBudgetForTheFleetBoundsRetriesByTheCallsOfEveryInstanceWithinTenPercent() throws Exception {
		String[] budget = { "retry.policies.shared.max-attempts=2", "retry.policies.shared.base-delay=0",
				"retry.policies.shared.max-delay=0", "retry.policies.shared.budget.ratio=0.1",
				"retry.policies.shared.budget.min-retries-per-second=1", "retry.policies.shared.budget.window=30s",
				"retry.policies.shared.budget.scope=fleet" };
		ConfigurableApplicationContext a = instance(budget);
		ConfigurableApplicationContext b = instance(budget);
		ConfigurableApplicationContext c = instance(budget);
		assertThat(fleet(a).getSharedBudgets()).containsExactly("shared");
		for (ConfigurableApplicationContext healthy : List.of(b, c)) {
			Inventory inventory = healthy.getBean(Inventory.class);
			for (int i = 0; i < 300; i++) {
				assertThat(inventory.budgeted()).isEqualTo("ok");
			}
		}
		// Calls are counted locally and added to the fleet's count every quarter second.
		StringRedisTemplate redis = a.getBean(StringRedisTemplate.class);
		await().atMost(Duration.ofSeconds(2)).until(() -> redis.<String, String>opsForHash()
			.entries("retry:shop:budget:{shared}")
			.entrySet()
			.stream()
			.filter((bucket) -> bucket.getKey().startsWith("c:"))
			.mapToLong((bucket) -> Long.parseLong(bucket.getValue()))
			.sum() == 600);
		Inventory flaky = a.getBean(Inventory.class);
		flaky.failing(true);
		int retried = 0;
		for (int i = 0; i < 300; i++) {
			try {
				flaky.budgeted();
				retried++;
			}
			catch (Exception ex) {
				assertThat(ex).isInstanceOf(ConnectException.class);
			}
		}
		// The fleet's bound: 1 retry/s x 30 s + 10% of the 900 calls of the whole fleet.
		double bound = 30 + 0.1 * 900;
		assertThat((double) retried).as("retries made by the one failing instance").isLessThanOrEqualTo(bound)
			.isGreaterThanOrEqualTo(0.9 * bound);
	}

	@Test
	void aRedisThatHangsMakesNoCallWaitLongerThanTheOperationTimeout() throws Exception {
		ConfigurableApplicationContext a = instance();
		ConfigurableApplicationContext b = instance();
		stockFailsThreeTimes(a);
		await().atMost(Duration.ofSeconds(1)).until(() -> breaker(b, "inventory").getState() == State.OPEN);
		await().atMost(Duration.ofSeconds(3)).until(() -> breaker(a, "inventory").untilHalfOpen().isZero());

		this.redis.freeze();
		try {
			// A half-open trial asks Redis for a permit: it gets no answer, and decides locally.
			long start = System.nanoTime();
			assertThat(a.getBean(Inventory.class).stock()).isEqualTo("ok");
			Duration took = Duration.ofNanos(System.nanoTime() - start);
			assertThat(took).as("the trial call, Redis hung").isLessThan(Duration.ofMillis(100 + 150));
			assertThat(fleet(a).isLinked()).isFalse();
			start = System.nanoTime();
			assertThat(a.getBean(Inventory.class).stock()).isEqualTo("ok");
			assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the next call, not asking a hung Redis")
				.isLessThan(Duration.ofMillis(50));
			assertThat(breaker(a, "inventory").getState()).isEqualTo(State.CLOSED);
		}
		finally {
			this.redis.thaw();
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> fleet(a).isLinked() && fleet(b).isLinked());
	}

	@Test
	void aFailedTrialReopensEveryInstanceWithinASecond() {
		List<ConfigurableApplicationContext> fleet = List.of(instance(), instance(), instance());
		stockFailsThreeTimes(fleet.get(0));
		await().atMost(Duration.ofSeconds(1))
			.until(() -> fleet.stream().allMatch((i) -> breaker(i, "inventory").getState() == State.OPEN));
		await().atMost(Duration.ofSeconds(3))
			.until(() -> breaker(fleet.get(2), "inventory").untilHalfOpen().isZero());

		Inventory trial = fleet.get(2).getBean(Inventory.class);
		trial.failing(true);
		assertThat(catchThrowable(trial::stock)).isInstanceOf(ConnectException.class);
		trial.failing(false);

		await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> {
			for (ConfigurableApplicationContext instance : fleet.subList(0, 2)) {
				assertThat(breaker(instance, "inventory").getState()).isEqualTo(State.OPEN);
				assertThat(breaker(instance, "inventory").getOpenedBy()).isEqualTo(fleet(fleet.get(2)).getInstance());
				assertThat(breaker(instance, "inventory").untilHalfOpen()).isGreaterThan(Duration.ofMillis(500));
			}
		});
	}

	@Test
	void anInstanceStartedWhileRedisIsDownJoinsTheFleetWhenRedisReturns() {
		String longOpen = "retry.circuit-breakers.inventory.open-duration=30s";
		ConfigurableApplicationContext a = instance(longOpen);
		this.redis.kill();
		ConfigurableApplicationContext late = instance(longOpen, "spring.data.redis.timeout=500ms");
		assertThat(fleet(late).isLinked()).isFalse();

		this.redis.startProcess();
		await().atMost(Duration.ofSeconds(5)).until(() -> fleet(late).isLinked() && fleet(a).isLinked());
		stockFailsThreeTimes(a);
		await().atMost(Duration.ofSeconds(2)).until(() -> breaker(late, "inventory").getState() == State.OPEN);
		assertThat(breaker(late, "inventory").getOpenedBy()).isEqualTo(fleet(a).getInstance());
	}

	@Test
	void afterAnOutageOfSecondsTheLinkIsBackWithinASecondOfRedis() {
		ConfigurableApplicationContext a = instance();
		await().atMost(Duration.ofSeconds(3)).until(() -> fleet(a).isLinked());
		this.redis.kill();
		await().atMost(Duration.ofSeconds(3)).until(() -> !fleet(a).isLinked());
		// Long enough for Lettuce's own reconnect delay to have grown to several seconds.
		await().pollDelay(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(9)).until(() -> !fleet(a).isLinked());

		this.redis.startProcess();

		await().atMost(Duration.ofMillis(1500)).pollInterval(Duration.ofMillis(20)).until(() -> fleet(a).isLinked());
	}

	@Test
	void anInstanceStartingDuringAnOutageStartsWithTheFleetsState() {
		ConfigurableApplicationContext a = instance("retry.circuit-breakers.inventory.open-duration=30s");
		stockFailsThreeTimes(a);
		ConfigurableApplicationContext late = instance("retry.circuit-breakers.inventory.open-duration=30s");

		assertThat(breaker(late, "inventory").getState()).isEqualTo(State.OPEN);
		assertThat(breaker(late, "inventory").getOpenedBy()).isEqualTo(fleet(a).getInstance());
		assertThat(breaker(late, "inventory").untilHalfOpen()).isGreaterThan(Duration.ofSeconds(25));
	}

	@Test
	void whatArrivesFromRedisIsDataMalformedForeignAndUnknownMessagesAreIgnoredAndCounted() {
		ConfigurableApplicationContext a = instance();
		StringRedisTemplate redis = a.getBean(StringRedisTemplate.class);
		redis.convertAndSend("retry:shop:breakers", "not a message at all");
		redis.convertAndSend("retry:shop:breakers", "v2|other-fleet|x|7|inventory|OPEN|0|0|60000|elsewhere");
		redis.convertAndSend("retry:shop:breakers", "v2|shop|x|7|no-such-breaker|OPEN|0|0|60000|unknown");
		redis.convertAndSend("retry:shop:breakers", "v2|shop|x|7|inventory|OPEN|0|0|soon|bad number");

		await().atMost(Duration.ofSeconds(2)).until(() -> fleet(a).getIgnoredMessages() == 4);
		assertThat(breaker(a, "inventory").getState()).isEqualTo(State.CLOSED);
		assertThat(a.getBean(CircuitBreakerRegistry.class).names()).containsExactly("catalog", "inventory");
	}

	@Test
	void operatorsForcingABreakerOpenDoItForTheFleet() {
		ConfigurableApplicationContext a = instance();
		ConfigurableApplicationContext b = instance();

		breaker(a, "inventory").forceOpen();
		await().atMost(Duration.ofSeconds(1)).until(() -> breaker(b, "inventory").isForcedOpen());
		breaker(b, "inventory").close();
		await().atMost(Duration.ofSeconds(1)).until(() -> breaker(a, "inventory").getState() == State.CLOSED);
	}

	@Test
	void redisKilledMidRunFailsNoCallAndTheFleetConvergesWhenItReturns() throws Exception {
		String longOpen = "retry.circuit-breakers.inventory.open-duration=30s";
		ConfigurableApplicationContext a = instance(longOpen);
		ConfigurableApplicationContext b = instance(longOpen);
		ConfigurableApplicationContext c = instance(longOpen);
		await().atMost(Duration.ofSeconds(3)).until(() -> fleet(a).isLinked() && fleet(b).isLinked());

		AtomicBoolean flowing = new AtomicBoolean(true);
		AtomicInteger failed = new AtomicInteger();
		AtomicInteger rejected = new AtomicInteger();
		AtomicInteger succeeded = new AtomicInteger();
		AtomicLong slowest = new AtomicLong();
		ExecutorService callers = Executors.newFixedThreadPool(3);
		for (ConfigurableApplicationContext instance : List.of(b, c)) {
			Inventory inventory = instance.getBean(Inventory.class);
			callers.execute(() -> {
				while (flowing.get()) {
					long start = System.nanoTime();
					try {
						inventory.stock();
						succeeded.incrementAndGet();
					}
					catch (CircuitBreakerOpenException ex) {
						// The fleet's breaker, once a's open state reached this instance.
						rejected.incrementAndGet();
					}
					catch (Throwable ex) {
						failed.incrementAndGet();
					}
					slowest.accumulateAndGet(System.nanoTime() - start, Math::max);
				}
			});
		}

		this.redis.kill();
		await().atMost(Duration.ofSeconds(3)).until(() -> !fleet(a).isLinked());
		int before = succeeded.get();
		await().atMost(Duration.ofSeconds(2)).until(() -> succeeded.get() > before + 1000);
		// Local breakers keep working without Redis.
		stockFailsThreeTimes(a);
		assertThat(breaker(a, "inventory").getState()).isEqualTo(State.OPEN);

		this.redis.startProcess();
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(List.of(fleet(a).isLinked(), fleet(b).isLinked(), fleet(c).isLinked()))
				.containsOnly(true));
		// What a opened while Redis was gone reaches the others.
		await().atMost(Duration.ofSeconds(5))
			.until(() -> breaker(b, "inventory").getState() == State.OPEN && breaker(c, "inventory").getState() == State.OPEN);
		flowing.set(false);
		callers.shutdown();
		assertThat(callers.awaitTermination(5, TimeUnit.SECONDS)).isTrue();

		assertThat(failed.get()).as("calls that failed because of Redis").isZero();
		assertThat(succeeded.get()).isGreaterThan(1000);
		assertThat(rejected.get()).as("calls rejected once the fleet converged").isPositive();
		assertThat(Duration.ofNanos(slowest.get())).as("slowest call while Redis was down or back")
			.isLessThan(Duration.ofMillis(500));
	}

	@Test
	void theEndpointShowsTheFleetAndActsOnItUnlessScopeIsLocalAndHealthStaysUpWithoutRedis() {
		ConfigurableApplicationContext a = webInstance();
		ConfigurableApplicationContext b = instance("retry.circuit-breakers.inventory.open-duration=30s");
		RestClient http = RestClient.create("http://localhost:" + a.getEnvironment().getProperty("local.server.port"));

		http.post().uri("/actuator/circuitbreakers/inventory").contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("action", "open", "scope", "local")).retrieve().toBodilessEntity();
		assertThat(breaker(a, "inventory").isForcedOpen()).isTrue();
		await().during(Duration.ofMillis(1200)).atMost(Duration.ofSeconds(2))
			.until(() -> breaker(b, "inventory").getState() == State.CLOSED);
		http.post().uri("/actuator/circuitbreakers/inventory").contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("action", "close", "scope", "local")).retrieve().toBodilessEntity();

		stockFailsThreeTimes(b);
		await().atMost(Duration.ofSeconds(1)).until(() -> breaker(a, "inventory").getState() == State.OPEN);
		await().atMost(Duration.ofSeconds(3)).until(() -> fleet(a).getMembers().size() == 2);
		Map<?, ?> described = http.get().uri("/actuator/circuitbreakers/inventory").retrieve().body(Map.class);
		assertThat(described.get("scope")).isEqualTo("fleet");
		assertThat(described.get("openedBy")).isEqualTo(fleet(b).getInstance());
		Map<?, ?> shared = (Map<?, ?>) described.get("fleet");
		assertThat(shared.get("name")).isEqualTo("shop");
		assertThat(shared.get("link")).isEqualTo("up");
		assertThat(shared.get("members")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
			.containsExactlyInAnyOrder(fleet(a).getInstance(), fleet(b).getInstance());
		Map<?, ?> local = http.get().uri("/actuator/circuitbreakers/catalog").retrieve().body(Map.class);
		assertThat(local.get("scope")).isEqualTo("local");
		assertThat(local.get("fleet")).isNull();
		assertThat(gauge(http)).isEqualTo(1.0);

		http.post().uri("/actuator/circuitbreakers/inventory").contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("action", "close")).retrieve().toBodilessEntity();
		await().atMost(Duration.ofSeconds(1)).until(() -> breaker(b, "inventory").getState() == State.CLOSED);
		int status = http.post()
			.uri("/actuator/circuitbreakers/inventory")
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("action", "open", "scope", "everywhere"))
			.exchange((request, response) -> response.getStatusCode().value());
		assertThat(status).isEqualTo(400);
		assertThat(breaker(a, "inventory").getState()).isEqualTo(State.CLOSED);

		this.redis.kill();
		await().atMost(Duration.ofSeconds(3)).until(() -> gauge(http) == 0.0);
		Map<?, ?> health = http.get().uri("/actuator/health/circuitBreakers").retrieve().body(Map.class);
		assertThat(health.get("status")).isEqualTo("UP");
		assertThat(((Map<?, ?>) ((Map<?, ?>) health.get("details")).get("fleet")).get("link")).isEqualTo("down");
	}

	@Test
	void aRuntimeOverrideOnOneInstanceReachesEveryInstance(CapturedOutput output) {
		ConfigurableApplicationContext a = webInstance();
		ConfigurableApplicationContext b = instance();
		ConfigurableApplicationContext c = instance();
		RestClient http = RestClient.create("http://localhost:" + a.getEnvironment().getProperty("local.server.port"));
		await().atMost(Duration.ofSeconds(3)).until(() -> fleet(a).getMembers().size() == 3);

		http.post().uri("/actuator/retries/network").contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("max-attempts", "5", "base-delay", "250ms")).retrieve().toBodilessEntity();
		http.post().uri("/actuator/circuitbreakers/inventory").contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("configuration.failure-threshold", "7")).retrieve().toBodilessEntity();

		for (ConfigurableApplicationContext other : List.of(b, c)) {
			await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> {
				assertThat(policy(other, "network").getMaxAttempts()).isEqualTo(5);
				assertThat(policy(other, "network").getBaseDelay()).isEqualTo(Duration.ofMillis(250));
				assertThat(breaker(other, "inventory").getConfig().getFailureThreshold()).isEqualTo(7);
			});
		}
		assertThat(output).contains("Policy 'network' changed at runtime: max-attempts 3 -> 5",
				"(fleet, from " + fleet(a).getInstance() + ")");

		http.delete().uri("/actuator/retries/network").retrieve().toBodilessEntity();
		await().atMost(Duration.ofSeconds(1))
			.until(() -> policy(b, "network").getMaxAttempts() == 3 && policy(c, "network").getMaxAttempts() == 3);
		http.delete().uri("/actuator/circuitbreakers/inventory").retrieve().toBodilessEntity();
		await().atMost(Duration.ofSeconds(1)).until(() -> breaker(b, "inventory").getConfig().getFailureThreshold() == 3
				&& breaker(c, "inventory").getConfig().getFailureThreshold() == 3);

		a.getBean(StringRedisTemplate.class).convertAndSend("retry:shop:tuning", "v2|shop|x|99|policy|network|%%%");
		await().atMost(Duration.ofSeconds(2)).until(() -> fleet(b).getIgnoredMessages() >= 1);
		assertThat(policy(b, "network").getMaxAttempts()).isEqualTo(3);
	}

	private static dev.retry.policy.RetryPolicy policy(ConfigurableApplicationContext context, String name) {
		return context.getBean(dev.retry.autoconfigure.config.PolicyRegistry.class).find(name).policy();
	}

	private static double gauge(RestClient http) {
		Map<?, ?> metric = http.get().uri("/actuator/metrics/retry.fleet.link").retrieve().body(Map.class);
		return ((Number) ((Map<?, ?>) ((List<?>) metric.get("measurements")).get(0)).get("value")).doubleValue();
	}

	/** An instance with a web server and the actuator endpoints over HTTP; its breaker stays open 30 s. */
	private ConfigurableApplicationContext webInstance() {
		return started(new SpringApplicationBuilder(WebInstance.class).properties(base())
			.properties("server.port=0",
					"management.endpoints.web.exposure.include=circuitbreakers,health,metrics,retries",
					"management.endpoint.health.show-details=always",
					"retry.circuit-breakers.inventory.open-duration=30s"));
	}

	@SpringBootConfiguration
	@ImportAutoConfiguration({ DataRedisAutoConfiguration.class, RetryAutoConfiguration.class,
			RetryFleetAutoConfiguration.class, FleetLettuceAutoConfiguration.class })
	@Import(Inventory.class)
	static class Instance {

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(Inventory.class)
	static class WebInstance {

	}

	/** A downstream that answers, fails, or holds its callers; its switches are methods (the test holds the proxy). */
	public static class Inventory {

		private final AtomicBoolean failing = new AtomicBoolean();

		private final AtomicInteger entered = new AtomicInteger();

		private volatile CountDownLatch hold;

		public void failing(boolean failing) {
			this.failing.set(failing);
		}

		public void hold(CountDownLatch hold) {
			this.hold = hold;
		}

		public int entered() {
			return this.entered.get();
		}

		@CircuitBreaker(name = "inventory")
		public String stock() throws Exception {
			this.entered.incrementAndGet();
			CountDownLatch hold = this.hold;
			if (hold != null) {
				hold.await(10, TimeUnit.SECONDS);
			}
			if (this.failing.get()) {
				throw new ConnectException("refused");
			}
			return "ok";
		}

		/** Fails its first attempt while failing: each call needs one retry. */
		@dev.retry.annotation.Retryable(policy = "shared")
		public String budgeted() throws Exception {
			if (this.failing.get() && dev.retry.execution.RetryContext.current().getAttempt() == 1) {
				throw new ConnectException("refused");
			}
			return "ok";
		}

		@CircuitBreaker(name = "catalog")
		public String catalog() throws Exception {
			if (this.failing.get()) {
				throw new ConnectException("refused");
			}
			return "ok";
		}

	}

}
