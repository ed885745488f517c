package dev.retry.autoconfigure.actuate;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.retry.annotation.CircuitBreaker;
import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.autoconfigure.config.RetryTuning;
import dev.retry.breaker.State;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.cloud.context.environment.EnvironmentManager;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * Runtime tuning's hard cases: every change, by HTTP or by the Environment, is checked as at
 * start-up and refused whole with a 400 (or kept as lastReloadError), never a 500; calls and
 * budgets in flight keep what they started with.
 */
class RuntimeTuningHardCasesTests {

	private static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() {
	};

	private ConfigurableApplicationContext context;

	@AfterEach
	void stop() {
		if (this.context != null) {
			this.context.close();
		}
	}

	/** The application of {@link RuntimeTuningTests}, on a random port. */
	private RestClient startWeb() {
		this.context = new SpringApplicationBuilder(RuntimeTuningTests.Application.class)
			.properties("server.port=0", "management.endpoints.web.exposure.include=*",
					"retry.policies.network.max-attempts=3", "retry.policies.network.base-delay=100ms",
					"retry.policies.network.max-delay=2s", "retry.policies.network.jitter=none",
					"retry.circuit-breakers.inventory.failure-threshold=5")
			.run();
		int port = ((WebServerApplicationContext) this.context).getWebServer().getPort();
		return RestClient.builder()
			.baseUrl("http://localhost:" + port + "/actuator")
			.requestFactory(new org.springframework.http.client.JdkClientHttpRequestFactory())
			.defaultStatusHandler(HttpStatusCode::isError, (request, response) -> {
			})
			.build();
	}

	/**
	 * "invalid = 400 with the start-up message": a budget window above zero but under 1 ms passes
	 * the assembler's checks and is refused by RetryPolicyBuilder's Assert with an
	 * IllegalArgumentException, which the endpoint does not catch: a 500.
	 */
	@Test
	void aSubMillisecondBudgetWindowIsA400NamingTheProperty() {
		RestClient http = startWeb();
		ResponseEntity<Map<String, Object>> response = http.post()
			.uri("/retries/network")
			.contentType(MediaType.APPLICATION_JSON)
			.body("{\"budget.ratio\": 0.1, \"budget.window\": \"500us\"}")
			.retrieve()
			.toEntity(JSON);

		assertThat(response.getStatusCode().value()).as("status of %s", response.getBody()).isEqualTo(400);
		assertThat(String.valueOf(response.getBody().get("error"))).contains("retry.policies.network.budget.window");
	}

	/**
	 * "An invalid change keeps the old values, logs an ERROR, and /actuator/retries shows
	 * lastReloadError": the same sub-millisecond window arriving by an EnvironmentChangeEvent
	 * escapes reload() (it catches RetryConfigurationException only) and is thrown at whoever
	 * published the event (/actuator/refresh); lastReloadError stays empty.
	 */
	@Test
	void aSubMillisecondBudgetWindowFromTheEnvironmentIsKeptAsLastReloadError() {
		startWeb();
		EnvironmentManager environment = new EnvironmentManager(this.context.getEnvironment());
		environment.setApplicationEventPublisher(this.context);
		environment.setProperty("retry.policies.network.budget.ratio", "0.1");

		Throwable thrown = catchThrowable(() -> environment.setProperty("retry.policies.network.budget.window", "500us"));

		assertThat(thrown).as("thrown at the publisher of the EnvironmentChangeEvent").isNull();
		RetryTuning.ReloadError error = this.context.getBean(RetryTuning.class).lastReloadError();
		assertThat(error).as("lastReloadError").isNotNull();
		assertThat(error.message()).contains("retry.policies.network.budget.window");
	}

	/**
	 * DELETE "drops the overrides": when the configuration it would restore is invalid (here an
	 * Environment change that was refused, then worked around with an override), the
	 * RetryConfigurationException is not caught by the DELETE operation: a 500 instead of the
	 * documented 400 with the start-up message.
	 */
	@Test
	void aDeleteThatWouldRestoreAnInvalidConfigurationIsA400WithTheStartUpMessage() {
		RestClient http = startWeb();
		EnvironmentManager environment = new EnvironmentManager(this.context.getEnvironment());
		environment.setApplicationEventPublisher(this.context);
		environment.setProperty("retry.policies.network.max-delay", "1ms");
		assertThat(this.context.getBean(RetryTuning.class).lastReloadError()).isNotNull();
		ResponseEntity<Map<String, Object>> fixed = http.post()
			.uri("/retries/network")
			.contentType(MediaType.APPLICATION_JSON)
			.body("{\"max-delay\": \"2s\"}")
			.retrieve()
			.toEntity(JSON);
		assertThat(fixed.getStatusCode().value()).isEqualTo(200);

		ResponseEntity<Map<String, Object>> deleted = http.delete().uri("/retries/network").retrieve().toEntity(JSON);

		assertThat(deleted.getStatusCode().value()).as("DELETE answered %s", deleted.getBody()).isEqualTo(400);
	}

	/** A JSON null where a text is expected is a 400 like any other invalid field, not a 500. */
	@Test
	void aNullScopeIsA400() {
		RestClient http = startWeb();

		ResponseEntity<Map<String, Object>> response = http.post()
			.uri("/circuitbreakers/inventory")
			.contentType(MediaType.APPLICATION_JSON)
			.body("{\"action\": \"open\", \"scope\": null}")
			.retrieve()
			.toEntity(JSON);

		assertThat(response.getStatusCode().value()).as("answered %s", response.getBody()).isEqualTo(400);
	}

	/**
	 * "A call in flight finishes under the policy it started with"; a breaker "takes its new
	 * configuration, keeping its state". A call admitted while slow-call-duration was 0 records its
	 * start as 0 (BreakerStage / CircuitBreaker.startTime); when slow-call-duration is set while it
	 * runs, its duration is read as System.nanoTime() - 0 (about the machine's uptime). A half-open
	 * trial in flight then counts as slow and re-opens the breaker (for a fleet breaker: everywhere),
	 * although it took milliseconds.
	 */
	@Test
	void settingSlowCallDurationWhileATrialIsInFlightDoesNotCountItAsSlow() throws Exception {
		this.context = new SpringApplicationBuilder(HeldApplication.class).web(WebApplicationType.NONE)
			.properties("spring.main.banner-mode=off", "retry.policies.payments.max-attempts=2",
					"retry.circuit-breakers.inventory.failure-threshold=1",
					"retry.circuit-breakers.inventory.open-duration=500ms",
					"retry.circuit-breakers.inventory.half-open-calls=1")
			.run();
		Held held = this.context.getBean(Held.class);
		dev.retry.breaker.CircuitBreaker breaker = this.context.getBean(CircuitBreakerRegistry.class).find("inventory");
		assertThat(catchThrowable(held::fail)).isInstanceOf(java.net.ConnectException.class);
		assertThat(breaker.getState()).isEqualTo(State.OPEN);
		await().atMost(Duration.ofSeconds(2)).until(() -> breaker.untilHalfOpen().isZero());
		CountDownLatch entered = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		held.arm(entered, release);
		ExecutorService caller = Executors.newSingleThreadExecutor();
		try {
			Future<String> trial = caller.submit(held::call);
			assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
			assertThat(breaker.getState()).isEqualTo(State.HALF_OPEN);

			this.context.getBean(RetryTuning.class)
				.overrideBreaker("inventory", Map.of("slow-call-duration", "60s"), "actuator");
			long start = System.nanoTime();
			release.countDown();
			assertThat(trial.get(5, TimeUnit.SECONDS)).isEqualTo("ok");
			assertThat(System.nanoTime() - start).as("the trial ended within a second of the change")
				.isLessThan(TimeUnit.SECONDS.toNanos(1));

			assertThat(breaker.getState())
				.as("breaker after its trial call succeeded in a few ms (slow-call-duration 60s, JVM nanoTime %d s)",
						System.nanoTime() / 1_000_000_000L)
				.isEqualTo(State.CLOSED);
		}
		finally {
			release.countDown();
			caller.shutdownNow();
		}
	}

	/**
	 * "Validated exactly as at start-up, all or nothing": start-up refuses a @Retryable naming a
	 * policy that is not configured. A refreshed Environment without the policy is taken: the
	 * policy disappears from the registry and the endpoint (404, so it can no longer be tuned)
	 * while its method goes on running it; no lastReloadError.
	 */
	@Test
	void anEnvironmentChangeRemovingAPolicyAMethodUsesIsRefusedAsAtStartUp() {
		this.context = new SpringApplicationBuilder(HeldApplication.class).web(WebApplicationType.NONE)
			.properties("spring.main.banner-mode=off", "retry.circuit-breakers.inventory.failure-threshold=5")
			.initializers((context) -> context.getEnvironment()
				.getPropertySources()
				.addFirst(new org.springframework.core.env.MapPropertySource("config-server",
						Map.of("retry.policies.payments.max-attempts", "2"))))
			.run();
		assertThat(this.context.getBean(dev.retry.autoconfigure.config.PolicyRegistry.class).find("payments")).isNotNull();

		// What a refresh does when the configuration server no longer has the key.
		this.context.getEnvironment().getPropertySources().remove("config-server");
		this.context.publishEvent(new org.springframework.cloud.context.environment.EnvironmentChangeEvent(this.context,
				java.util.Set.of("retry.policies.payments.max-attempts")));

		assertThat(this.context.getBean(RetryTuning.class).lastReloadError()).as("lastReloadError").isNotNull();
		assertThat(this.context.getBean(dev.retry.autoconfigure.config.PolicyRegistry.class).find("payments"))
			.as("policy 'payments', used by Held.pay()")
			.isNotNull();
	}

	/**
	 * Suspected in review: a refused change could already have replaced a policy's budget (a new
	 * one, counting from zero) while its methods went on with the old one.
	 */
	@Test
	void aRefusedChangeLeavesThePolicysBudgetAsItWas() throws Exception {
		this.context = new SpringApplicationBuilder(BudgetApplication.class).web(WebApplicationType.NONE)
			.properties("spring.main.banner-mode=off", "retry.policies.payments.max-attempts=2",
					"retry.policies.payments.budget.ratio=0.1")
			.run();
		Payments payments = this.context.getBean(Payments.class);
		for (int i = 0; i < 5; i++) {
			assertThat(payments.pay()).isEqualTo("paid");
			assertThat(payments.payLater1().get(5, TimeUnit.SECONDS)).isEqualTo("paid");
		}
		dev.retry.autoconfigure.config.MethodRegistry methods = this.context
			.getBean(dev.retry.autoconfigure.config.MethodRegistry.class);
		dev.retry.budget.RetryBudget before = methods.budget("payments");
		assertThat(before.callsInWindow()).isEqualTo(10);

		// Hedging is for asynchronous methods: Payments.pay() refuses it, after the others took it.
		Throwable refused = catchThrowable(() -> this.context.getBean(RetryTuning.class)
			.overridePolicy("payments", Map.of("budget.ratio", "0.5", "hedge-delay", "50ms"), "actuator"));

		assertThat(refused).isInstanceOf(dev.retry.autoconfigure.diagnostics.RetryConfigurationException.class);
		assertThat(methods.budget("payments")).as("the budget after a refused change").isSameAs(before);
		assertThat(methods.budget("payments").callsInWindow()).isEqualTo(10);
	}

	/** "DELETE /actuator/circuitbreakers/{name} drops its configuration overrides (state and counts stay)". */
	@Test
	void deletingABreakersOverridesRestoresItsConfigurationAndKeepsItsState() {
		RestClient http = startWeb();
		ResponseEntity<Map<String, Object>> set = http.post()
			.uri("/circuitbreakers/inventory")
			.contentType(MediaType.APPLICATION_JSON)
			.body("{\"configuration.failure-threshold\": 9, \"action\": \"open\"}")
			.retrieve()
			.toEntity(JSON);
		assertThat(set.getStatusCode().value()).isEqualTo(200);
		dev.retry.breaker.CircuitBreaker breaker = this.context.getBean(CircuitBreakerRegistry.class).find("inventory");
		assertThat(breaker.getConfig().getFailureThreshold()).isEqualTo(9);

		ResponseEntity<Map<String, Object>> deleted = http.delete().uri("/circuitbreakers/inventory").retrieve().toEntity(JSON);

		assertThat(deleted.getStatusCode().value()).isEqualTo(200);
		assertThat(breaker.getConfig().getFailureThreshold()).isEqualTo(5);
		assertThat(breaker.isForcedOpen()).as("its state stays").isTrue();
		assertThat(http.delete().uri("/circuitbreakers/nope").retrieve().toEntity(JSON).getStatusCode().value())
			.isEqualTo(404);
	}

	/** A JSON null for a policy key is a 400 naming it, not a 500. */
	@Test
	void aNullPolicyValueIsA400NamingTheKey() {
		RestClient http = startWeb();

		ResponseEntity<Map<String, Object>> response = http.post()
			.uri("/retries/network")
			.contentType(MediaType.APPLICATION_JSON)
			.body("{\"max-attempts\": null}")
			.retrieve()
			.toEntity(JSON);

		assertThat(response.getStatusCode().value()).as("answered %s", response.getBody()).isEqualTo(400);
		assertThat(String.valueOf(response.getBody().get("error"))).contains("max-attempts");
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class BudgetApplication {

		@Bean
		Payments payments() {
			return new Payments();
		}

	}

	/** One synchronous method and several asynchronous ones under one policy. */
	static class Payments {

		@dev.retry.annotation.Retryable(policy = "payments")
		public String pay() {
			return "paid";
		}

		@dev.retry.annotation.Retryable(policy = "payments")
		public java.util.concurrent.CompletableFuture<String> payLater1() {
			return java.util.concurrent.CompletableFuture.completedFuture("paid");
		}

		@dev.retry.annotation.Retryable(policy = "payments")
		public java.util.concurrent.CompletableFuture<String> payLater2() {
			return java.util.concurrent.CompletableFuture.completedFuture("paid");
		}

		@dev.retry.annotation.Retryable(policy = "payments")
		public java.util.concurrent.CompletableFuture<String> payLater3() {
			return java.util.concurrent.CompletableFuture.completedFuture("paid");
		}

		@dev.retry.annotation.Retryable(policy = "payments")
		public java.util.concurrent.CompletableFuture<String> payLater4() {
			return java.util.concurrent.CompletableFuture.completedFuture("paid");
		}

		@dev.retry.annotation.Retryable(policy = "payments")
		public java.util.concurrent.CompletableFuture<String> payLater5() {
			return java.util.concurrent.CompletableFuture.completedFuture("paid");
		}

		@dev.retry.annotation.Retryable(policy = "payments")
		public java.util.concurrent.CompletableFuture<String> payLater6() {
			return java.util.concurrent.CompletableFuture.completedFuture("paid");
		}

		@dev.retry.annotation.Retryable(policy = "payments")
		public java.util.concurrent.CompletableFuture<String> payLater7() {
			return java.util.concurrent.CompletableFuture.completedFuture("paid");
		}

		@dev.retry.annotation.Retryable(policy = "payments")
		public java.util.concurrent.CompletableFuture<String> payLater8() {
			return java.util.concurrent.CompletableFuture.completedFuture("paid");
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class HeldApplication {

		@Bean
		Held held() {
			return new Held();
		}

	}

	/** Calls wait until released, then answer at once. */
	static class Held {

		private volatile CountDownLatch entered;

		private volatile CountDownLatch release;

		public void arm(CountDownLatch entered, CountDownLatch release) {
			this.entered = entered;
			this.release = release;
		}

		@dev.retry.annotation.Retryable(policy = "payments")
		public String pay() {
			return "paid";
		}

		@CircuitBreaker(name = "inventory")
		public String fail() throws Exception {
			throw new java.net.ConnectException("refused");
		}

		@CircuitBreaker(name = "inventory")
		public String call() throws Exception {
			this.entered.countDown();
			this.release.await(5, TimeUnit.SECONDS);
			return "ok";
		}

	}

}
