package dev.retry.autoconfigure.actuate;

import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.retry.annotation.CircuitBreaker;
import dev.retry.annotation.Retryable;
import dev.retry.time.ManualClock;
import dev.retry.time.Sleeper;
import dev.retry.time.Ticker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real application on a random port, with an environment variable and a YAML file, read back
 * over HTTP as an operator would.
 */
class ActuatorEndpointsApplicationTests {

	private static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() {
	};

	private static ConfigurableApplicationContext context;

	private static RestClient http;

	private static final HoldingSleeper sleeper = new HoldingSleeper();

	@BeforeAll
	static void start() {
		StandardEnvironment environment = new StandardEnvironment() {
			@Override
			public Map<String, Object> getSystemEnvironment() {
				return Map.of("MAX_RETRY_ATTEMPTS", "4");
			}
		};
		context = new SpringApplicationBuilder(Application.class).environment(environment)
			.properties("spring.config.name=actuator-test", "server.port=0")
			.run();
		int port = ((WebServerApplicationContext) context).getWebServer().getPort();
		http = RestClient.builder()
			.baseUrl("http://localhost:" + port + "/actuator")
			.requestFactory(new org.springframework.http.client.JdkClientHttpRequestFactory())
			.defaultStatusHandler(HttpStatusCode::isError, (request, response) -> {
			})
			.build();
	}

	@AfterAll
	static void stop() {
		sleeper.release();
		context.close();
	}

	@Test
	@SuppressWarnings("unchecked")
	void retriesShowsEachValueWithItsSource() {
		Map<String, Object> network = http.get().uri("/retries/network").retrieve().body(JSON);
		Map<String, Map<String, Object>> values = (Map<String, Map<String, Object>>) network.get("values");

		assertThat(values.get("base-delay")).containsEntry("value", "2s");
		assertThat((String) values.get("base-delay").get("source")).contains("actuator-test.yml");
		assertThat(values.get("max-delay")).containsEntry("value", "10s").containsEntry("source", "preset network");
		assertThat(values.get("max-attempts")).as("the user's variable beats the preset").containsEntry("value", 4);
		assertThat((String) values.get("max-attempts").get("source")).contains("MAX_RETRY_ATTEMPTS");
		assertThat(network.get("methods")).isEqualTo(List.of("Inventory.fetch"));

		Map<String, Map<String, Object>> defaults = (Map<String, Map<String, Object>>) http.get()
			.uri("/retries/default")
			.retrieve()
			.body(JSON)
			.get("values");
		assertThat(defaults.get("max-attempts")).containsEntry("value", 4);
		assertThat((String) defaults.get("max-attempts").get("source")).contains("MAX_RETRY_ATTEMPTS");
	}

	@Test
	@SuppressWarnings("unchecked")
	void retriesListsPoliciesAndAnnotatedMethods() {
		Map<String, Object> retries = http.get().uri("/retries").retrieve().body(JSON);

		assertThat((Map<String, Object>) retries.get("policies")).containsKeys("default", "network", "fast",
				"aggressive", "gentle");
		assertThat((List<Object>) retries.get("methods")).containsExactlyInAnyOrder(
				Map.of("method", "Inventory.fetch", "policy", "network", "circuitBreaker", "inventory", "interceptors",
						List.of("retry(network)", "circuitBreaker(inventory)")),
				breakerOnly("Inventory.reserve", "inventory"));
	}

	private static Map<String, Object> breakerOnly(String method, String breaker) {
		Map<String, Object> entry = new java.util.HashMap<>();
		entry.put("method", method);
		entry.put("policy", null);
		entry.put("circuitBreaker", breaker);
		entry.put("interceptors", List.of("circuitBreaker(" + breaker + ")"));
		return entry;
	}

	@Test
	void unknownPolicyIs404() {
		ResponseEntity<String> response = http.get().uri("/retries/netwrk").retrieve().toEntity(String.class);

		assertThat(response.getStatusCode().value()).isEqualTo(404);
	}

	@Test
	@SuppressWarnings("unchecked")
	void retriesShowsACallWaitingForItsRetry() throws Exception {
		Inventory inventory = context.getBean(Inventory.class);
		sleeper.hold();
		// A thread of its own: a held thread of the common pool could starve the HTTP client.
		ExecutorService caller = Executors.newSingleThreadExecutor();
		Future<String> call = caller.submit(() -> inventory.fetch("sku-9"));
		try {
			assertWaiting();
		}
		finally {
			sleeper.release();
			caller.shutdown();
		}

		assertThat(call.get(10, TimeUnit.SECONDS)).isEqualTo("sku-9");
		assertThat((List<Object>) http.get().uri("/retries").retrieve().body(JSON).get("waiting")).isEmpty();
	}

	@Test
	@SuppressWarnings("unchecked")
	void retryEventsShowTheNewestRetryOfAMethod() throws Exception {
		assertThat(context.getBean(Inventory.class).fetch("sku-5")).isEqualTo("sku-5");

		Map<String, Object> events = http.get().uri("/retryevents?method={method}&limit=1", "Inventory.fetch")
			.retrieve()
			.body(JSON);

		assertThat((List<Map<String, Object>>) events.get("events")).singleElement().satisfies((event) -> {
			assertThat(event).containsEntry("type", "retry_scheduled")
				.containsEntry("method", "Inventory.fetch")
				.containsEntry("policy", "network")
				.containsEntry("attempt", 2)
				.containsEntry("error", "java.net.ConnectException: refused sku-5");
		});
	}

	@SuppressWarnings("unchecked")
	private static void assertWaiting() {
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			List<Map<String, Object>> waiting = (List<Map<String, Object>>) http.get()
				.uri("/retries")
				.retrieve()
				.body(JSON)
				.get("waiting");
			assertThat(waiting).singleElement().satisfies((entry) -> {
				assertThat(entry).containsEntry("method", "Inventory.fetch")
					.containsEntry("attempt", 2)
					.containsEntry("maxAttempts", 4)
					.containsEntry("lastError", "java.net.ConnectException: refused sku-9");
				assertThat(((Number) entry.get("nextRetryInMillis")).longValue()).isBetween(1L, 2_600L);
			});
		});
	}

	@Test
	@SuppressWarnings("unchecked")
	void circuitBreakersAreShownAndForcedOverHttp() {
		Map<String, Object> inventory = http.get().uri("/circuitbreakers/inventory").retrieve().body(JSON);
		assertThat(inventory).containsEntry("state", "closed").containsEntry("name", "inventory");
		assertThat((Map<String, Object>) inventory.get("configuration")).containsEntry("failure-threshold", 2);

		Map<String, Object> opened = http.post()
			.uri("/circuitbreakers/inventory")
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("action", "open"))
			.retrieve()
			.body(JSON);
		assertThat(opened).containsEntry("state", "open").containsEntry("forcedOpen", true);
		Map<String, Object> health = http.get().uri("/health/circuitBreakers").retrieve().body(JSON);
		assertThat(health).containsEntry("status", "UP");
		assertThat(health.get("details").toString()).contains("inventory={state=open");

		ResponseEntity<String> badAction = http.post()
			.uri("/circuitbreakers/inventory")
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("action", "explode"))
			.retrieve()
			.toEntity(String.class);
		ResponseEntity<String> unknown = http.post()
			.uri("/circuitbreakers/payments")
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("action", "open"))
			.retrieve()
			.toEntity(String.class);
		Map<String, Object> reset = http.post()
			.uri("/circuitbreakers/inventory")
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("action", "reset"))
			.retrieve()
			.body(JSON);

		assertThat(badAction.getStatusCode().value()).isEqualTo(400);
		assertThat(badAction.getBody()).contains("Allowed: open, close, reset.");
		assertThat(unknown.getStatusCode().value()).isEqualTo(404);
		assertThat(http.get().uri("/circuitbreakers/payments").retrieve().toEntity(String.class).getStatusCode().value())
			.isEqualTo(404);
		assertThat(reset).containsEntry("state", "closed");
		assertThat((Map<String, Object>) http.get().uri("/circuitbreakers").retrieve().body(JSON))
			.containsOnlyKeys("inventory");
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Application {

		@Bean
		Ticker retryTicker() {
			return new ManualClock()::nanoTime;
		}

		@Bean
		Sleeper retrySleeper() {
			return sleeper;
		}

		@Bean
		Inventory inventory() {
			return new Inventory();
		}

	}

	static class Inventory {

		private int calls;

		@Retryable(policy = "network", noRetryOn = IllegalStateException.class)
		@CircuitBreaker("inventory")
		public String fetch(String sku) throws ConnectException {
			if (this.calls++ % 2 == 0) {
				throw new ConnectException("refused " + sku);
			}
			return sku;
		}

		@CircuitBreaker("inventory")
		public String reserve(String sku) {
			return sku;
		}

	}

	/** Holds the calling thread in its wait until released. */
	static final class HoldingSleeper implements Sleeper {

		private volatile CountDownLatch latch = new CountDownLatch(0);

		void hold() {
			this.latch = new CountDownLatch(1);
		}

		void release() {
			this.latch.countDown();
		}

		@Override
		public void sleep(long nanos) throws InterruptedException {
			this.latch.await();
		}

	}

}
