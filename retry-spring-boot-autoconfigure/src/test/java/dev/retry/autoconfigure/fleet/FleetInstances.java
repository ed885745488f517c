package dev.retry.autoconfigure.fleet;

import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.annotation.CircuitBreaker;
import dev.retry.annotation.Retryable;
import dev.retry.autoconfigure.RetryAutoConfiguration;
import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.autoconfigure.config.PolicyRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Instances of a fleet for the hard cases: each its own application context with its own Lettuce
 * connection, in one JVM, sharing a real redis-server started on a random port for each test. The
 * fleet {@code shop} shares breaker {@code inventory} (3 failures open it for 1 s, 2 trials);
 * {@code catalog} is of scope local.
 */
abstract class FleetInstances {

	RedisServer redis;

	private final List<ConfigurableApplicationContext> instances = new ArrayList<>();

	@BeforeEach
	void startRedis() {
		this.redis = RedisServer.start();
	}

	@AfterEach
	void stopAll() {
		this.instances.forEach(ConfigurableApplicationContext::close);
		if (this.redis != null) {
			try {
				this.redis.thaw();
			}
			catch (RuntimeException ex) {
				// Not running.
			}
			this.redis.close();
		}
	}

	/** An instance without a web server. */
	ConfigurableApplicationContext instance(String... properties) {
		return instance(Instance.class, properties);
	}

	ConfigurableApplicationContext instance(Class<?> application, String... properties) {
		return started(new SpringApplicationBuilder(application).web(WebApplicationType.NONE)
			.properties(base())
			.properties(properties));
	}

	/** An instance with a web server on a random port and the actuator endpoints over HTTP. */
	ConfigurableApplicationContext webInstance(String... properties) {
		return started(new SpringApplicationBuilder(WebInstance.class).properties(base())
			.properties("server.port=0", "management.endpoints.web.exposure.include=circuitbreakers,retries")
			.properties(properties));
	}

	/** Closes it when the test ends. */
	ConfigurableApplicationContext started(SpringApplicationBuilder application) {
		ConfigurableApplicationContext context = application.run();
		this.instances.add(context);
		return context;
	}

	String[] base() {
		return new String[] { "spring.main.banner-mode=off", "spring.data.redis.port=" + this.redis.port,
				"retry.fleet.enabled=true", "retry.fleet.name=shop",
				"retry.circuit-breakers.inventory.failure-threshold=3",
				"retry.circuit-breakers.inventory.open-duration=1s",
				"retry.circuit-breakers.inventory.half-open-calls=2",
				"retry.circuit-breakers.inventory.half-open-max-wait=10s",
				"retry.circuit-breakers.catalog.failure-threshold=3", "retry.circuit-breakers.catalog.scope=local",
				"retry.policies.shared.max-attempts=2" };
	}

	static dev.retry.breaker.CircuitBreaker breaker(ConfigurableApplicationContext context, String name) {
		return context.getBean(CircuitBreakerRegistry.class).find(name);
	}

	static RedisFleet fleet(ConfigurableApplicationContext context) {
		return context.getBean(RedisFleet.class);
	}

	static int maxAttempts(ConfigurableApplicationContext context, String policy) {
		return context.getBean(PolicyRegistry.class).find(policy).policy().getMaxAttempts();
	}

	static void failThreeTimes(ConfigurableApplicationContext context) {
		Downstream downstream = context.getBean(Downstream.class);
		for (int i = 0; i < 3; i++) {
			assertThat(catchThrowable(() -> downstream.inventory("fail"))).isInstanceOf(ConnectException.class);
		}
	}

	static RestClient http(ConfigurableApplicationContext context) {
		return RestClient.create("http://localhost:" + context.getEnvironment().getProperty("local.server.port"));
	}

	static int post(RestClient http, String path, Map<String, String> body) {
		return http.post()
			.uri(path)
			.contentType(MediaType.APPLICATION_JSON)
			.body(body)
			.exchange((request, response) -> response.getStatusCode().value());
	}

	@SpringBootConfiguration
	@ImportAutoConfiguration({ DataRedisAutoConfiguration.class, RetryAutoConfiguration.class,
			RetryFleetAutoConfiguration.class, FleetLettuceAutoConfiguration.class })
	@Import(Downstream.class)
	static class Instance {

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(Downstream.class)
	static class WebInstance {

	}

	/** A downstream whose outcome each call chooses: "fail" (counted), "ignored" (ignore-on), "hold", else ok. */
	public static class Downstream {

		private final AtomicInteger held = new AtomicInteger();

		private volatile CountDownLatch release = new CountDownLatch(0);

		public void holdUntil(CountDownLatch release) {
			this.release = release;
		}

		public int held() {
			return this.held.get();
		}

		private String answer(String outcome) throws Exception {
			if ("hold".equals(outcome)) {
				this.held.incrementAndGet();
				this.release.await(10, TimeUnit.SECONDS);
				return "ok";
			}
			if ("fail".equals(outcome)) {
				throw new ConnectException("refused");
			}
			if ("ignored".equals(outcome)) {
				throw new IllegalArgumentException("not found (a 4xx, ignored by the breaker)");
			}
			return "ok";
		}

		@CircuitBreaker(name = "inventory")
		public String inventory(String outcome) throws Exception {
			return answer(outcome);
		}

		@CircuitBreaker(name = "catalog")
		public String catalog(String outcome) throws Exception {
			return answer(outcome);
		}

		/** Fails its first attempt when asked to: each such call needs one retry. */
		@Retryable(policy = "shared")
		public String budgeted(boolean failFirst) throws Exception {
			if (failFirst && dev.retry.execution.RetryContext.current().getAttempt() == 1) {
				throw new ConnectException("refused");
			}
			return "ok";
		}

	}

}
