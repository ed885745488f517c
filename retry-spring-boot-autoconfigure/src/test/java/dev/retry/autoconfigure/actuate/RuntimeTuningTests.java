package dev.retry.autoconfigure.actuate;

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
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.annotation.CircuitBreaker;
import dev.retry.annotation.Retryable;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.cloud.context.environment.EnvironmentManager;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Re-tuning policies and breakers while the application runs, over real HTTP (the application on a
 * random port), as an operator in the middle of an incident would.
 */
@ExtendWith(OutputCaptureExtension.class)
class RuntimeTuningTests {

	private static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() {
	};

	private ConfigurableApplicationContext context;

	private RestClient http;

	private Downstream downstream;

	private ManualClock clock;

	@BeforeEach
	void start() {
		this.context = start("management.endpoints.web.exposure.include=*");
		this.http = http(this.context);
		this.downstream = this.context.getBean(Downstream.class);
		this.clock = this.context.getBean(ManualClock.class);
	}

	@AfterEach
	void stop() {
		this.context.close();
	}

	private static ConfigurableApplicationContext start(String... properties) {
		return new SpringApplicationBuilder(Application.class)
			.properties("server.port=0", "retry.policies.network.max-attempts=3",
					"retry.policies.network.base-delay=100ms", "retry.policies.network.max-delay=2s",
					"retry.policies.network.jitter=none", "retry.circuit-breakers.inventory.failure-threshold=5",
					"retry.circuit-breakers.inventory.sliding-window-size=10",
					"retry.circuit-breakers.inventory.minimum-calls=10")
			.properties(properties)
			.run();
	}

	private static RestClient http(ConfigurableApplicationContext context) {
		int port = ((WebServerApplicationContext) context).getWebServer().getPort();
		return RestClient.builder()
			.baseUrl("http://localhost:" + port + "/actuator")
			.requestFactory(new org.springframework.http.client.JdkClientHttpRequestFactory())
			.defaultStatusHandler(HttpStatusCode::isError, (request, response) -> {
			})
			.build();
	}

	private ResponseEntity<Map<String, Object>> post(String path, String json) {
		return this.http.post().uri(path).contentType(MediaType.APPLICATION_JSON).body(json).retrieve().toEntity(JSON);
	}

	@SuppressWarnings("unchecked")
	private Map<String, Object> values(String policy) {
		return (Map<String, Object>) this.http.get().uri("/retries/" + policy).retrieve().body(JSON).get("values");
	}

	@SuppressWarnings("unchecked")
	private Map<String, Object> value(String policy, String key) {
		return (Map<String, Object>) values(policy).get(key);
	}

	private int attemptsOfOneFailingCall() {
		this.downstream.resetAttempts();
		assertThatExceptionOfType(ConnectException.class).isThrownBy(this.downstream::fetch);
		return this.downstream.attempts();
	}

	@Test
	void anOverrideAppliesFromTheNextCallShowsItsSourceAndIsLoggedWithOldAndNewValues(CapturedOutput output) {
		assertThat(attemptsOfOneFailingCall()).isEqualTo(3);

		ResponseEntity<Map<String, Object>> response = post("/retries/network",
				"{\"max-attempts\": 5, \"base-delay\": \"200ms\"}");

		assertThat(response.getStatusCode().value()).isEqualTo(200);
		this.clock.clearSleeps();
		assertThat(attemptsOfOneFailingCall()).isEqualTo(5);
		assertThat(this.clock.sleeps()).containsExactly(Duration.ofMillis(200), Duration.ofMillis(400),
				Duration.ofMillis(800), Duration.ofMillis(1600));
		assertThat(value("network", "max-attempts")).containsEntry("value", 5)
			.containsEntry("source", "runtime override")
			.containsEntry("property", "retry.policies.network.max-attempts");
		assertThat(value("network", "max-attempts").get("overriddenAt")).isNotNull();
		assertThat(value("network", "max-delay").get("source")).as("a key not overridden keeps its source")
			.isNotEqualTo("runtime override");
		assertThat(output).contains(
				"Policy 'network' changed at runtime: max-attempts 3 -> 5, base-delay 100ms -> 200ms (actuator)");
	}

	@Test
	void durationsTakeTheYamlFormsIncludingDecimalSeconds() {
		assertThat(post("/retries/network", "{\"base-delay\": 0.25}").getStatusCode().value()).isEqualTo(200);

		assertThat(value("network", "base-delay")).containsEntry("value", "250ms");
		this.clock.clearSleeps();
		attemptsOfOneFailingCall();
		assertThat(this.clock.sleeps()).first().isEqualTo(Duration.ofMillis(250));
	}

	@Test
	void anInvalidChangeIsA400WithTheStartUpMessageAndChangesNothing() {
		ResponseEntity<Map<String, Object>> belowBase = post("/retries/network",
				"{\"max-attempts\": 7, \"max-delay\": \"10ms\"}");
		assertThat(belowBase.getStatusCode().value()).isEqualTo(400);
		assertThat((String) belowBase.getBody().get("error")).contains("retry.policies.network.max-delay")
			.contains("max-delay is below base-delay");
		assertThat((String) belowBase.getBody().get("action")).contains("a duration >= base-delay");

		ResponseEntity<Map<String, Object>> notANumber = post("/retries/network", "{\"max-attempts\": \"many\"}");
		assertThat(notANumber.getStatusCode().value()).isEqualTo(400);
		assertThat((String) notANumber.getBody().get("error")).contains("retry.policies.network.max-attempts")
			.contains("many");
		assertThat((String) notANumber.getBody().get("action")).contains("an integer");

		ResponseEntity<Map<String, Object>> jitter = post("/retries/network", "{\"jitter\": \"wobbly\"}");
		assertThat(jitter.getStatusCode().value()).isEqualTo(400);
		assertThat((String) jitter.getBody().get("action")).contains("none", "proportional", "full", "equal",
				"decorrelated");

		ResponseEntity<Map<String, Object>> unknownClass = post("/retries/network",
				"{\"retry-on\": [\"com.example.NoSuchException\"]}");
		assertThat(unknownClass.getStatusCode().value()).isEqualTo(400);
		assertThat((String) unknownClass.getBody().get("error")).contains("no class named 'com.example.NoSuchException'");

		ResponseEntity<Map<String, Object>> hedged = post("/retries/network", "{\"hedge-delay\": \"100ms\"}");
		assertThat(hedged.getStatusCode().value()).as("a method refusing the new values fails the whole change")
			.isEqualTo(400);
		assertThat((String) hedged.getBody().get("error")).contains("Downstream.fetch()")
			.contains("a synchronous method has no second attempt");

		ResponseEntity<Map<String, Object>> fleetBudget = post("/retries/network",
				"{\"budget.ratio\": 0.1, \"budget.scope\": \"fleet\"}");
		assertThat(fleetBudget.getStatusCode().value()).as("the start-up check, without a fleet").isEqualTo(400);
		assertThat((String) fleetBudget.getBody().get("error"))
			.contains("Retry policy 'network' has budget.scope=fleet, but retry.fleet.enabled is false");

		ResponseEntity<Map<String, Object>> unknownKey = post("/retries/network", "{\"max-atempts\": 5}");
		assertThat(unknownKey.getStatusCode().value()).as("the start-up check of names").isEqualTo(400);
		assertThat((String) unknownKey.getBody().get("error")).contains("Unknown retry configuration property",
				"Property: retry.policies.network.max-atempts", "Origin:   runtime override",
				"did you mean retry.policies.network.max-attempts?");
		assertThat((String) unknownKey.getBody().get("action")).contains("max-attempts, base-delay");

		ResponseEntity<Map<String, Object>> startupOnly = post("/circuitbreakers/inventory",
				"{\"configuration\": {\"scope\": \"local\"}}");
		assertThat(startupOnly.getStatusCode().value()).isEqualTo(400);
		assertThat((String) startupOnly.getBody().get("error")).contains("Key 'scope' of circuit breaker 'inventory' "
				+ "cannot be changed at runtime");
		ResponseEntity<Map<String, Object>> group = post("/retries/network", "{\"budget\": 5}");
		assertThat(group.getStatusCode().value()).isEqualTo(400);
		assertThat((String) group.getBody().get("error")).contains("Key 'budget' of policy 'network' names no single value");
		ResponseEntity<Map<String, Object>> element = post("/retries/network", "{\"retry-on[0]\": \"java.io.IOException\"}");
		assertThat(element.getStatusCode().value()).isEqualTo(400);
		assertThat((String) element.getBody().get("action")).contains("these keys, whole: max-attempts");
		assertThat(post("/retries/network", "{\"%%%\": 1, \"max-attempts\": 9}").getStatusCode().value())
			.as("a key that is no name at all").isEqualTo(400);

		assertThat(post("/retries/payments", "{\"max-attempts\": 5}").getStatusCode().value()).isEqualTo(404);
		assertThat(this.http.post()
			.uri("/retries/network")
			.contentType(MediaType.APPLICATION_JSON)
			.body("max-attempts=5")
			.retrieve()
			.toBodilessEntity()
			.getStatusCode()
			.value()).as("not JSON").isEqualTo(400);

		assertThat(value("network", "max-attempts")).containsEntry("value", 3);
		assertThat(attemptsOfOneFailingCall()).isEqualTo(3);
	}

	@Test
	void aKeyInARelaxedFormIsTheSameKey() {
		assertThat(post("/retries/network", "{\"maxAttempts\": 4}").getStatusCode().value()).isEqualTo(200);
		assertThat(post("/retries/network", "{\"max_attempts\": 5}").getStatusCode().value()).isEqualTo(200);

		assertThat(attemptsOfOneFailingCall()).isEqualTo(5);
		assertThat(value("network", "max-attempts")).containsEntry("value", 5)
			.containsEntry("source", "runtime override")
			.containsKey("overriddenAt");
		assertThat(value("network", "max-attempts").get("overriddenAt")).isNotNull();
	}

	@Test
	void anEnvironmentChangeWithAnUnknownKeyIsRefusedWithTheStartUpMessage(CapturedOutput output) {
		EnvironmentManager environment = new EnvironmentManager(
				(ConfigurableEnvironment) this.context.getEnvironment());
		environment.setApplicationEventPublisher(this.context);

		environment.setProperty("retry.policies.network.max-attemps", "6");

		assertThat(attemptsOfOneFailingCall()).isEqualTo(3);
		assertThat(output).contains("Retry configuration not reloaded after environment change")
			.contains("Property: retry.policies.network.max-attemps")
			.contains("did you mean retry.policies.network.max-attempts?");
	}

	@Test
	void deleteDropsTheOverridesAndTheConfiguredValuesComeBack() {
		post("/retries/network", "{\"max-attempts\": 2}");
		assertThat(attemptsOfOneFailingCall()).isEqualTo(2);

		ResponseEntity<Map<String, Object>> deleted = this.http.delete().uri("/retries/network").retrieve().toEntity(JSON);

		assertThat(deleted.getStatusCode().value()).isEqualTo(200);
		assertThat(attemptsOfOneFailingCall()).isEqualTo(3);
		assertThat(value("network", "max-attempts").get("source")).isNotEqualTo("runtime override");
		assertThat(value("network", "max-attempts").get("overriddenAt")).isNull();
	}

	@Test
	void aCallInFlightFinishesWithThePlanItStartedWith() throws Exception {
		CountDownLatch inFirstAttempt = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		this.downstream.hold(inFirstAttempt, release);
		ExecutorService caller = Executors.newSingleThreadExecutor();
		try {
			Future<Integer> inFlight = caller.submit(this::attemptsOfOneFailingCall);
			assertThat(inFirstAttempt.await(5, TimeUnit.SECONDS)).isTrue();

			assertThat(post("/retries/network", "{\"max-attempts\": 1}").getStatusCode().value()).isEqualTo(200);
			release.countDown();

			assertThat(inFlight.get(5, TimeUnit.SECONDS)).as("started under max-attempts 3").isEqualTo(3);
			assertThat(attemptsOfOneFailingCall()).as("the next call, under max-attempts 1").isEqualTo(1);
		}
		finally {
			caller.shutdownNow();
		}
	}

	@Test
	@SuppressWarnings("unchecked")
	void concurrentOverridesOfOnePolicyNeverMixTwo() throws Exception {
		int threads = 16;
		// Every state a reader can see is then one writer's pair: k attempts with a base-delay of k0ms.
		assertThat(post("/retries/network", "{\"max-attempts\": 1, \"base-delay\": \"10ms\"}").getStatusCode()
			.value()).isEqualTo(200);
		ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
		try {
			List<Future<?>> writers = new ArrayList<>();
			CountDownLatch go = new CountDownLatch(1);
			for (int i = 1; i <= threads; i++) {
				int attempts = i;
				writers.add(pool.submit(() -> {
					go.await();
					for (int round = 0; round < 5; round++) {
						assertThat(post("/retries/network",
								"{\"max-attempts\": " + attempts + ", \"base-delay\": \"" + attempts + "0ms\"}")
							.getStatusCode()
							.value()).isEqualTo(200);
					}
					return null;
				}));
			}
			List<String> mixed = new ArrayList<>();
			Future<?> reader = pool.submit(() -> {
				go.await();
				while (writers.stream().anyMatch((writer) -> !writer.isDone())) {
					// One response shows one policy as it was at one moment: both keys from one read.
					Map<String, Object> values = values("network");
					Map<String, Object> attempts = (Map<String, Object>) values.get("max-attempts");
					Map<String, Object> delay = (Map<String, Object>) values.get("base-delay");
					if (!(attempts.get("value") + "0ms").equals(delay.get("value"))) {
						mixed.add(attempts.get("value") + " with " + delay.get("value"));
					}
				}
				return null;
			});
			go.countDown();
			for (Future<?> writer : writers) {
				writer.get(60, TimeUnit.SECONDS);
			}
			reader.get(60, TimeUnit.SECONDS);

			int finalAttempts = (int) value("network", "max-attempts").get("value");
			assertThat(value("network", "base-delay")).containsEntry("value", finalAttempts + "0ms");
			this.clock.clearSleeps();
			assertThat(attemptsOfOneFailingCall()).isEqualTo(finalAttempts);
			if (finalAttempts > 1) {
				assertThat(this.clock.sleeps()).first().isEqualTo(Duration.ofMillis(finalAttempts * 10L));
			}
			assertThat(mixed).as("policies seen half of one write and half of another").isEmpty();
		}
		finally {
			pool.shutdownNow();
		}
	}

	@Test
	@SuppressWarnings("unchecked")
	void aBreakerTakesANewConfigurationKeepingItsStateAndCounts(CapturedOutput output) {
		for (int i = 0; i < 3; i++) {
			assertThatExceptionOfType(ConnectException.class).isThrownBy(this.downstream::guarded);
		}

		ResponseEntity<Map<String, Object>> response = post("/circuitbreakers/inventory",
				"{\"configuration\": {\"failure-threshold\": 4, \"open-duration\": \"5s\", \"sliding-window-size\": 5,"
						+ " \"minimum-calls\": 5}}");

		assertThat(response.getStatusCode().value()).isEqualTo(200);
		Map<String, Object> breaker = response.getBody();
		assertThat(breaker).containsEntry("state", "closed").containsEntry("consecutiveFailures", 3);
		assertThat((Map<String, Object>) breaker.get("calls")).containsEntry("failure", 3);
		assertThat((Map<String, Object>) breaker.get("configuration")).containsEntry("failure-threshold", 4)
			.containsEntry("open-duration", "5s")
			.containsEntry("sliding-window-size", 5);
		assertThat(output).contains("Circuit breaker 'inventory' changed at runtime: failure-threshold 5 -> 4");

		assertThatExceptionOfType(ConnectException.class).isThrownBy(this.downstream::guarded);
		Map<String, Object> opened = this.http.get().uri("/circuitbreakers/inventory").retrieve().body(JSON);
		assertThat(opened).as("the 4th failure in a row opens it under the new threshold").containsEntry("state", "open");
		assertThat(opened.get("untilHalfOpenMillis")).isEqualTo(5000);

		ResponseEntity<Map<String, Object>> invalid = post("/circuitbreakers/inventory",
				"{\"configuration\": {\"minimum-calls\": 50}}");
		assertThat(invalid.getStatusCode().value()).isEqualTo(400);
		assertThat((String) invalid.getBody().get("error")).contains("retry.circuit-breakers.inventory.minimum-calls");
		assertThat((String) invalid.getBody().get("action")).contains("within 1 and sliding-window-size (5)");
		assertThat(post("/circuitbreakers/inventory", "{\"configuration\": {\"failure-treshold\": 1}}").getStatusCode()
			.value()).isEqualTo(400);
		assertThat(post("/circuitbreakers/payments", "{\"configuration\": {\"failure-threshold\": 1}}").getStatusCode()
			.value()).isEqualTo(404);
	}

	@Test
	@SuppressWarnings("unchecked")
	void deleteDropsABreakersOverridesKeepingItsStateAndCounts(CapturedOutput output) {
		assertThat(post("/circuitbreakers/inventory", "{\"configuration\": {\"failure-threshold\": 2, "
				+ "\"open-duration\": \"5s\"}}").getStatusCode().value()).isEqualTo(200);
		for (int i = 0; i < 2; i++) {
			assertThatExceptionOfType(ConnectException.class).isThrownBy(this.downstream::guarded);
		}
		assertThat(this.http.get().uri("/circuitbreakers/inventory").retrieve().body(JSON)).containsEntry("state", "open");

		ResponseEntity<Map<String, Object>> deleted = this.http.delete()
			.uri("/circuitbreakers/inventory")
			.retrieve()
			.toEntity(JSON);

		assertThat(deleted.getStatusCode().value()).isEqualTo(200);
		Map<String, Object> breaker = deleted.getBody();
		assertThat((Map<String, Object>) breaker.get("configuration")).containsEntry("failure-threshold", 5)
			.containsEntry("open-duration", "60s");
		assertThat(breaker).as("its state and counts stay").containsEntry("state", "open");
		assertThat((Map<String, Object>) breaker.get("calls")).containsEntry("failure", 2);
		assertThat(output).contains("Circuit breaker 'inventory' changed at runtime: failure-threshold 2 -> 5, "
				+ "open-duration 5s -> 60s (actuator)");
		assertThat(this.http.delete().uri("/circuitbreakers/inventory").retrieve().toEntity(JSON).getStatusCode().value())
			.as("nothing left to drop").isEqualTo(200);
		assertThat(this.http.delete().uri("/circuitbreakers/payments").retrieve().toBodilessEntity().getStatusCode()
			.value()).isEqualTo(404);
	}

	@Test
	void writesObeyTheEndpointsAccessControl() {
		ConfigurableApplicationContext readOnly = start("management.endpoints.web.exposure.include=*",
				"management.endpoint.retries.access=read-only", "management.endpoint.circuitbreakers.access=read-only");
		try {
			RestClient http = http(readOnly);
			int status = http.post()
				.uri("/retries/network")
				.contentType(MediaType.APPLICATION_JSON)
				.body("{\"max-attempts\": 9}")
				.retrieve()
				.toBodilessEntity()
				.getStatusCode()
				.value();
			int breakerStatus = http.post()
				.uri("/circuitbreakers/inventory")
				.contentType(MediaType.APPLICATION_JSON)
				.body("{\"configuration\": {\"failure-threshold\": 1}}")
				.retrieve()
				.toBodilessEntity()
				.getStatusCode()
				.value();

			int breakerDelete = http.delete()
				.uri("/circuitbreakers/inventory")
				.retrieve()
				.toBodilessEntity()
				.getStatusCode()
				.value();

			assertThat(status).isIn(404, 405);
			assertThat(breakerStatus).isIn(404, 405);
			assertThat(breakerDelete).isIn(404, 405);
			Map<String, Object> network = http.get().uri("/retries/network").retrieve().body(JSON);
			assertThat(network.toString()).contains("max-attempts={value=3");
		}
		finally {
			readOnly.close();
		}
	}

	@Test
	void anEnvironmentChangeRebuildsPoliciesAndAnInvalidOneKeepsTheOldValues(CapturedOutput output) {
		EnvironmentManager environment = new EnvironmentManager(
				(ConfigurableEnvironment) this.context.getEnvironment());
		environment.setApplicationEventPublisher(this.context);

		environment.setProperty("retry.policies.network.max-attempts", "6");
		assertThat(attemptsOfOneFailingCall()).isEqualTo(6);
		assertThat(output).contains("Policy 'network' changed at runtime: max-attempts 3 -> 6 (environment change)");

		environment.setProperty("retry.policies.network.max-delay", "1ms");
		assertThat(attemptsOfOneFailingCall()).as("the invalid change is refused whole").isEqualTo(6);
		assertThat(output).contains("ERROR").contains("Retry configuration not reloaded after environment change")
			.contains("max-delay is below base-delay");
		Map<String, Object> retries = this.http.get().uri("/retries").retrieve().body(JSON);
		assertThat(retries.get("lastReloadError").toString()).contains("max-delay is below base-delay");

		environment.setProperty("retry.policies.network.max-delay", "2s");
		await().untilAsserted(() -> assertThat(this.http.get().uri("/retries").retrieve().body(JSON))
			.containsEntry("lastReloadError", null));
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Application {

		@Bean
		ManualClock clock() {
			return new ManualClock();
		}

		@Bean
		Downstream downstream() {
			return new Downstream();
		}

	}

	static class Downstream {

		private final AtomicInteger attempts = new AtomicInteger();

		private volatile CountDownLatch inFirstAttempt;

		private volatile CountDownLatch release;

		public void hold(CountDownLatch inFirstAttempt, CountDownLatch release) {
			this.inFirstAttempt = inFirstAttempt;
			this.release = release;
		}

		public int attempts() {
			return this.attempts.get();
		}

		public void resetAttempts() {
			this.attempts.set(0);
		}

		@Retryable(policy = "network")
		public String fetch() throws Exception {
			if (this.attempts.incrementAndGet() == 1 && this.release != null) {
				CountDownLatch release = this.release;
				this.release = null;
				this.inFirstAttempt.countDown();
				release.await(5, TimeUnit.SECONDS);
			}
			throw new ConnectException("Connection refused");
		}

		@CircuitBreaker(name = "inventory")
		public String guarded() throws Exception {
			throw new ConnectException("Connection refused");
		}

	}

}
