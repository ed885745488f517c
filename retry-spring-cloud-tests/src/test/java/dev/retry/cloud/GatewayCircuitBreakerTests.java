package dev.retry.cloud;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
		return startWithArguments(properties);
	}

	/** Started with command-line arguments, which replace gateway.yml's routes when they name any. */
	private ConfigurableApplicationContext startWithArguments(String[] properties, String... arguments) {
		this.context = new SpringApplicationBuilder(GatewayApplication.class)
			.properties("spring.main.banner-mode=off", "server.port=0", "spring.config.import=classpath:gateway.yml",
					"downstream.url=" + this.downstream.url())
			.properties(properties)
			.run(arguments);
		this.gateway = "http://127.0.0.1:" + this.context.getEnvironment().getProperty("local.server.port");
		return this.context;
	}

	private HttpResponse<String> get(String path) throws Exception {
		return this.http.send(HttpRequest.newBuilder(URI.create(this.gateway + path)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> send(String method, String path, String json) throws Exception {
		return this.http.send(HttpRequest.newBuilder(URI.create(this.gateway + path))
			.header("Content-Type", "application/json")
			.method(method, (json != null) ? HttpRequest.BodyPublishers.ofString(json) : HttpRequest.BodyPublishers.noBody())
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static final String[] ACTUATOR = { "management.endpoints.web.exposure.include=circuitbreakers",
			"management.endpoint.circuitbreakers.access=unrestricted" };

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

	/** The body README and PRODUCT show for re-tuning a breaker, sent to a Gateway (WebFlux) application. */
	@Test
	void aRoutesBreakerIsRetunedWithTheConfigurationObjectOverWebFlux() throws Exception {
		ConfigurableApplicationContext context = start(ACTUATOR);
		assertThat(get("/broken/price").statusCode()).isEqualTo(500);
		CircuitBreaker breaker = context.getBean(CircuitBreakerRegistry.class).find("prices");

		HttpResponse<String> tuned = send("POST", "/actuator/circuitbreakers/prices",
				"{\"configuration\": {\"failure-threshold\": 7, \"open-duration\": \"5s\"}}");

		assertThat(tuned.statusCode()).as(tuned.body()).isEqualTo(200);
		assertThat(breaker.getConfig().getFailureThreshold()).isEqualTo(7);
		assertThat(breaker.getConfig().getOpenDuration()).isEqualTo(Duration.ofSeconds(5));
	}

	@Test
	void deleteDropsTheOverridesOfARoutesBreakerKeepingItsStateAndCounts() throws Exception {
		ConfigurableApplicationContext context = start(ACTUATOR);
		// The flat form of the body, which WebFlux reads.
		assertThat(send("POST", "/actuator/circuitbreakers/prices", "{\"configuration.failure-threshold\": \"3\"}")
			.statusCode()).isEqualTo(200);
		for (int i = 0; i < 3; i++) {
			assertThat(get("/broken/price").statusCode()).isEqualTo(500);
		}
		CircuitBreaker breaker = context.getBean(CircuitBreakerRegistry.class).find("prices");
		assertThat(breaker.getState()).isEqualTo(State.OPEN);

		HttpResponse<String> deleted = send("DELETE", "/actuator/circuitbreakers/prices", null);

		assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
		assertThat(breaker.getConfig().getFailureThreshold()).as("retry.circuit-breakers.default's again").isEqualTo(2);
		assertThat(breaker.getState()).isEqualTo(State.OPEN);
		assertThat(breaker.getFailureCount()).isEqualTo(3);
	}

	/**
	 * Switching the library off never stops a gateway whose routes use the {@code CircuitBreaker}
	 * filter: each request is sent on, and the route's fallback answers its own failure only.
	 */
	@Test
	void withRetryDisabledTheRoutesStartAndEveryRequestIsSentOn() throws Exception {
		ConfigurableApplicationContext context = start("retry.enabled=false");
		assertThat(context.getBeansOfType(CircuitBreakerRegistry.class)).isEmpty();
		assertThat(context.getBean(RetryGatewayCircuitBreakerFilterFactory.class)).isNotNull();

		for (int i = 0; i < 5; i++) {
			assertThat(get("/broken/price").statusCode()).as("never rejected with 503").isEqualTo(500);
		}
		assertThat(this.downstream.requests()).isEqualTo(5);
		this.downstream.goDown();
		for (int i = 0; i < 5; i++) {
			HttpResponse<String> answer = get("/stock/A1");
			assertThat(answer.body()).startsWith("fallback after ").contains("Connection refused");
		}
		this.downstream.comeBack();
		assertThat(get("/stock/A1").body()).isEqualTo("stock of /stock/A1");
		assertThat(this.downstream.requests()).isEqualTo(6);
	}

	/**
	 * The only route: {@code slow}, whose breaker is made on demand (retry.circuit-breakers.default:
	 * failure-threshold 2, open-duration 20s), with no fallback.
	 */
	private ConfigurableApplicationContext startWithSlowRoute(String... settings) {
		String route = "--spring.cloud.gateway.server.webflux.routes[0].";
		List<String> arguments = new ArrayList<>(List.of(route + "id=slow", route + "uri=" + this.downstream.url(),
				route + "predicates[0]=Path=/slow/**", route + "filters[0].name=CircuitBreaker"));
		for (String setting : settings) {
			arguments.add(route + setting);
		}
		return startWithArguments(new String[0], arguments.toArray(String[]::new));
	}

	/**
	 * Gateway's own response timeout, not the breaker, ends a request the downstream is slow to
	 * answer (504, as without a breaker); each one is a failure of the route's breaker, which then
	 * rejects requests without sending them on.
	 */
	@Test
	void aRouteTimeoutIsAFailureOfTheRoutesBreaker() throws Exception {
		// Gateway's response timeout for this route: 300ms.
		ConfigurableApplicationContext context = startWithSlowRoute("metadata.response-timeout=300");
		this.downstream.hold();

		for (int i = 0; i < 2; i++) {
			assertThat(get("/slow/stock").statusCode()).isEqualTo(504);
		}
		CircuitBreaker breaker = context.getBean(CircuitBreakerRegistry.class).find("slow");
		int reached = this.downstream.requests();
		HttpResponse<String> rejected = get("/slow/stock");

		assertThat(breaker.getState()).isEqualTo(State.OPEN);
		assertThat(breaker.getFailureCount()).isEqualTo(2);
		assertThat(rejected.statusCode()).isEqualTo(503);
		assertThat(this.downstream.requests()).as("rejected at the gateway").isEqualTo(reached);
	}

	/**
	 * A client that gives up on a half-open breaker's trial request closes its connection; Gateway
	 * cancels the request, which counts neither way and gives the trial permit back, so the next
	 * request is the trial (rather than every request being rejected until the downstream answers).
	 */
	@Test
	void aTrialRequestTheClientGivesUpOnGivesItsPermitBack() throws Exception {
		ConfigurableApplicationContext context = startWithSlowRoute();
		this.downstream.goDown();
		for (int i = 0; i < 2; i++) {
			get("/slow/stock");
		}
		CircuitBreaker breaker = context.getBean(CircuitBreakerRegistry.class).find("slow");
		assertThat(breaker.getState()).isEqualTo(State.OPEN);
		this.downstream.comeBack();
		this.downstream.hold();
		context.getBean(ManualClock.class).advance(Duration.ofSeconds(20));
		int reached = this.downstream.requests();

		Throwable gaveUp = catchThrowable(() -> HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create(this.gateway + "/slow/stock")).timeout(Duration.ofMillis(500)).build(),
					HttpResponse.BodyHandlers.ofString()));
		assertThat(gaveUp).isInstanceOf(java.net.http.HttpTimeoutException.class);
		org.awaitility.Awaitility.await()
			.atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(this.downstream.requests()).as("the trial reached the downstream")
				.isEqualTo(reached + 1));
		java.util.concurrent.CompletableFuture<HttpResponse<String>> next = HttpClient.newHttpClient()
			.sendAsync(HttpRequest.newBuilder(URI.create(this.gateway + "/slow/stock")).build(),
					HttpResponse.BodyHandlers.ofString());
		org.awaitility.Awaitility.await()
			.atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(this.downstream.requests()).as("the next request is the trial")
				.isEqualTo(reached + 2));
		this.downstream.release();

		assertThat(next.get(10, java.util.concurrent.TimeUnit.SECONDS).body()).isEqualTo("stock of /slow/stock");
		assertThat(breaker.getState()).isEqualTo(State.CLOSED);
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
