package dev.retry.cloud;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.CircuitBreakerOpenException;
import dev.retry.autoconfigure.cloud.RetryGatewayCircuitBreakerFilterFactory;
import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.breaker.CircuitBreaker;
import dev.retry.breaker.State;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A Spring Cloud Gateway (WebFlux) application whose routes use the {@code CircuitBreaker} filter,
 * in front of a real downstream that goes down, called through the gateway's real port.
 */
class GatewayCircuitBreakerTests {

	private final Downstream downstream = Downstream.start();

	private final HttpClient http = HttpClient.newHttpClient();

	private ConfigurableApplicationContext context;

	private String gateway;

	@AfterEach
	void stop() {
		if (this.context != null) {
			this.context.close();
		}
		this.downstream.close();
	}

	private ConfigurableApplicationContext start(String... properties) {
		this.context = new SpringApplicationBuilder(GatewayApplication.class)
			.properties("spring.main.banner-mode=off", "server.port=0", "spring.config.import=classpath:gateway.yml",
					"downstream.url=" + this.downstream.url())
			.properties(properties)
			.run();
		this.gateway = "http://127.0.0.1:" + this.context.getEnvironment().getProperty("local.server.port");
		return this.context;
	}

	private HttpResponse<String> get(String path) throws Exception {
		return this.http.send(HttpRequest.newBuilder(URI.create(this.gateway + path)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	@Test
	void theRoutesBreakerOpensWhenTheDownstreamGoesDownAndTheFallbackAnswersWithoutReachingIt() throws Exception {
		ConfigurableApplicationContext context = start();
		assertThat(context.getBean(RetryGatewayCircuitBreakerFilterFactory.class)).isNotNull();
		assertThat(get("/stock/A1").body()).isEqualTo("stock of /stock/A1");

		this.downstream.goDown();
		for (int i = 0; i < 3; i++) {
			HttpResponse<String> answer = get("/stock/A1");
			assertThat(answer.statusCode()).isEqualTo(200);
			assertThat(answer.body()).startsWith("fallback after ").contains("Connection refused");
		}
		CircuitBreaker breaker = context.getBean(CircuitBreakerRegistry.class).find("inventory");
		assertThat(breaker.getState()).isEqualTo(State.OPEN);

		this.downstream.comeBack();
		int reached = this.downstream.requests();
		assertThat(get("/stock/A1").body()).isEqualTo("fallback after " + CircuitBreakerOpenException.class.getName()
				+ ": Circuit breaker 'inventory' is open; it half-opens in 30.0s");
		assertThat(this.downstream.requests()).as("rejected at the gateway").isEqualTo(reached);
		assertThat(catchThrowable(context.getBean(Inventory.class)::stock))
			.as("the very breaker @CircuitBreaker(name = \"inventory\") uses")
			.isInstanceOf(CircuitBreakerOpenException.class);

		context.getBean(ManualClock.class).advance(Duration.ofSeconds(30));
		assertThat(get("/stock/A1").body()).as("the trial request").isEqualTo("stock of /stock/A1");
		assertThat(breaker.getState()).isEqualTo(State.CLOSED);
		assertThat(this.downstream.requests()).isEqualTo(reached + 1);
	}

	@Test
	void withoutAFallbackARejectedRequestIs503WithRetryAfter() throws Exception {
		ConfigurableApplicationContext context = start();
		for (int i = 0; i < 2; i++) {
			assertThat(get("/broken/price").statusCode()).as("statusCodes: 500 counts as a failure").isEqualTo(500);
		}
		CircuitBreaker breaker = context.getBean(CircuitBreakerRegistry.class).find("prices");
		assertThat(breaker.getState()).isEqualTo(State.OPEN);
		assertThat(breaker.getConfig().getOpenDuration()).as("from retry.circuit-breakers.default")
			.isEqualTo(Duration.ofSeconds(20));
		int reached = this.downstream.requests();
		context.getBean(ManualClock.class).advance(Duration.ofMillis(4500));

		HttpResponse<String> rejected = get("/broken/price");

		assertThat(rejected.statusCode()).isEqualTo(503);
		assertThat(rejected.headers().firstValue("Retry-After")).hasValue("16");
		assertThat(this.downstream.requests()).isEqualTo(reached);
	}

	@Test
	void gatewaysSwitchForTheCircuitBreakerFilterIsHonoured() {
		this.context = new SpringApplicationBuilder(GatewayApplication.class)
			.properties("spring.main.banner-mode=off", "server.port=0",
					"retry.circuit-breakers.inventory.failure-threshold=3",
					"spring.cloud.gateway.server.webflux.filter.circuit-breaker.enabled=false")
			.run();

		assertThat(this.context.getBeansOfType(RetryGatewayCircuitBreakerFilterFactory.class)).isEmpty();
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class GatewayApplication {

		@Bean
		ManualClock retryClock() {
			return new ManualClock();
		}

		@Bean
		Inventory inventory() {
			return new Inventory();
		}

		/** The route's fallbackUri: says what the breaker passed on. */
		@Bean
		RouterFunction<ServerResponse> fallbackRoutes() {
			return RouterFunctions.route()
				.GET("/fallback/inventory", (request) -> {
					Throwable failure = request.exchange()
						.getAttribute(ServerWebExchangeUtils.CIRCUITBREAKER_EXECUTION_EXCEPTION_ATTR);
					return ServerResponse.ok().bodyValue("fallback after " + failure);
				})
				.build();
		}

	}

	/** A bean calling the same downstream through the same breaker, as annotated code does. */
	public static class Inventory {

		final AtomicInteger reached = new AtomicInteger();

		@dev.retry.annotation.CircuitBreaker(name = "inventory")
		public String stock() throws ConnectException {
			this.reached.incrementAndGet();
			return "stock";
		}

	}

}
