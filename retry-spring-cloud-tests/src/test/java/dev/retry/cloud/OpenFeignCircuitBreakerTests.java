package dev.retry.cloud;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.retry.CircuitBreakerOpenException;
import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.breaker.CircuitBreaker;
import dev.retry.breaker.State;
import dev.retry.time.ManualClock;
import feign.RetryableException;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.client.circuitbreaker.NoFallbackAvailableException;
import org.springframework.cloud.openfeign.EnableFeignClients;
import org.springframework.cloud.openfeign.FallbackFactory;
import org.springframework.cloud.openfeign.FeignClient;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A Spring Cloud OpenFeign client with {@code spring.cloud.openfeign.circuitbreaker.enabled}, its
 * calls through our breakers, against a real HTTP server that goes down. The breaker is the one
 * OpenFeign names: {@code InventoryClientstockString} (its default, alphanumeric ids), or
 * {@code InventoryClient#stock(String)} with {@code alphanumeric-ids.enabled=false}; made on demand
 * from {@code retry.circuit-breakers.default} unless configured.
 */
class OpenFeignCircuitBreakerTests {

	private static final String ID = "InventoryClientstockString";

	private static final String CONFIG_KEY_ID = "InventoryClient#stock(String)";

	private final Downstream downstream = Downstream.start();

	private ConfigurableApplicationContext context;

	@AfterEach
	void stop() {
		if (this.context != null) {
			this.context.close();
		}
		this.downstream.close();
	}

	private ConfigurableApplicationContext start(String... properties) {
		this.context = new SpringApplicationBuilder(FeignApplication.class)
			.properties("spring.main.banner-mode=off", "server.port=0",
					"spring.cloud.gateway.server.webflux.enabled=false",
					"spring.config.import=classpath:feign.yml", "inventory.url=" + this.downstream.url(),
					"management.endpoints.web.exposure.include=circuitbreakers")
			.properties(properties)
			.run();
		return this.context;
	}

	@Test
	void theClientsBreakerOpensWhenItsServerGoesDownAndCallsThenFailFastToTheFallback() throws Exception {
		ConfigurableApplicationContext context = start();
		InventoryClient client = context.getBean(InventoryClient.class);
		InventoryFallback fallback = context.getBean(InventoryFallback.class);
		assertThat(client.stock("A1")).isEqualTo("stock of /stock/A1");

		this.downstream.goDown();
		for (int i = 0; i < 3; i++) {
			assertThat(client.stock("A1")).isEqualTo("fallback");
		}
		CircuitBreaker breaker = context.getBean(CircuitBreakerRegistry.class).find(ID);
		assertThat(breaker.getState()).isEqualTo(State.OPEN);
		assertThat(fallback.causes).hasSize(3)
			.allSatisfy((cause) -> assertThat(cause).isInstanceOf(RetryableException.class)
				.hasRootCauseInstanceOf(ConnectException.class));

		this.downstream.comeBack();
		int reached = this.downstream.requests();
		assertThat(client.stock("A1")).isEqualTo("fallback");
		assertThat(this.downstream.requests()).as("rejected without reaching the server").isEqualTo(reached);
		assertThat(fallback.causes.get(3)).isInstanceOf(CircuitBreakerOpenException.class);
		assertThat(((CircuitBreakerOpenException) fallback.causes.get(3)).getBreakerName()).isEqualTo(ID);

		context.getBean(ManualClock.class).advance(Duration.ofSeconds(30));
		assertThat(client.stock("A1")).as("the trial call").isEqualTo("stock of /stock/A1");
		assertThat(breaker.getState()).isEqualTo(State.CLOSED);
		assertThat(this.downstream.requests()).isEqualTo(reached + 1);
		MeterRegistry meters = context.getBean(MeterRegistry.class);
		assertThat(meters.get("circuitbreaker.calls").tag("name", ID).tag("outcome", "rejected")
			.functionCounter()
			.count()).isEqualTo(1);
	}

	@Test
	void withoutAFallbackTheCallerGetsTheFailureThenTheRejectionAsSpringCloudWrapsThem() {
		ConfigurableApplicationContext context = start();
		PricesClient client = context.getBean(PricesClient.class);
		this.downstream.goDown();

		for (int i = 0; i < 3; i++) {
			assertThat(catchThrowable(() -> client.price("A1"))).isInstanceOf(NoFallbackAvailableException.class)
				.cause()
				.isInstanceOf(RetryableException.class);
		}
		this.downstream.comeBack();

		assertThat(catchThrowable(() -> client.price("A1"))).isInstanceOf(NoFallbackAvailableException.class)
			.cause()
			.isInstanceOf(CircuitBreakerOpenException.class)
			.hasMessageContaining("'PricesClientpriceString'");
		assertThat(this.downstream.requests()).isZero();
	}

	@Test
	void idsWithOddCharactersAreBreakersTheEndpointShowsAndTunes() throws Exception {
		ConfigurableApplicationContext context = start(
				"spring.cloud.openfeign.circuitbreaker.alphanumeric-ids.enabled=false",
				"management.endpoint.circuitbreakers.access=unrestricted");
		InventoryClient client = context.getBean(InventoryClient.class);
		client.stock("A1");
		String actuator = "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port")
				+ "/actuator/circuitbreakers";
		String one = actuator + "/InventoryClient%23stock(String)";
		HttpClient http = HttpClient.newHttpClient();

		HttpResponse<String> all = http.send(HttpRequest.newBuilder(URI.create(actuator)).build(),
				HttpResponse.BodyHandlers.ofString());
		HttpResponse<String> tuned = http.send(HttpRequest.newBuilder(URI.create(one))
			.header("Content-Type", "application/json")
			// The flat form: WebFlux's endpoint mapping reads a body of strings only.
			.POST(HttpRequest.BodyPublishers.ofString("{\"configuration.failure-threshold\": \"1\"}"))
			.build(), HttpResponse.BodyHandlers.ofString());

		assertThat(all.body()).contains("\"" + CONFIG_KEY_ID + "\"");
		assertThat(tuned.statusCode()).as(tuned.body()).isEqualTo(200);
		assertThat(tuned.body()).contains("\"name\":\"" + CONFIG_KEY_ID + "\"").contains("\"failure-threshold\":1");
		this.downstream.goDown();
		assertThat(client.stock("A1")).isEqualTo("fallback");
		assertThat(context.getBean(CircuitBreakerRegistry.class).find(CONFIG_KEY_ID).getState())
			.isEqualTo(State.OPEN);
	}

	@Test
	void aConfiguredEntryOfTheClientsIdIsItsBreaker() {
		ConfigurableApplicationContext context = start(
				"retry.circuit-breakers.InventoryClientstockString.failure-threshold=1");
		this.downstream.goDown();

		assertThat(context.getBean(InventoryClient.class).stock("A1")).isEqualTo("fallback");

		CircuitBreakerRegistry breakers = context.getBean(CircuitBreakerRegistry.class);
		assertThat(breakers.find("InventoryClientstockString").getState()).isEqualTo(State.OPEN);
		assertThat(breakers.onDemandNames()).isEmpty();
	}

	/**
	 * Switching the library off keeps OpenFeign's clients wrapped (OpenFeign ignores fallbacks
	 * without a factory): every call reaches the server, and the fallback answers its failure.
	 */
	@Test
	void withRetryDisabledEveryCallReachesTheServerAndTheFallbackStillAnswers() {
		ConfigurableApplicationContext context = start("retry.enabled=false");
		InventoryClient client = context.getBean(InventoryClient.class);
		assertThat(context.getBeansOfType(CircuitBreakerRegistry.class)).isEmpty();
		assertThat(client.stock("A1")).isEqualTo("stock of /stock/A1");
		this.downstream.goDown();

		for (int i = 0; i < 5; i++) {
			assertThat(client.stock("A1")).isEqualTo("fallback");
		}

		assertThat(context.getBean(InventoryFallback.class).causes).hasSize(5)
			.allSatisfy((cause) -> assertThat(cause).isInstanceOf(RetryableException.class));
	}

	/**
	 * A fallback factory whose answer throws: the caller gets that exception as OpenFeign hands it
	 * on, each call counted once (the fallback's exception never), and once open the breaker keeps
	 * calls from the server while the fallback still decides what the caller gets.
	 */
	@Test
	void aFallbackThatThrowsReachesTheCallerAndEachCallCountsOnce() {
		ConfigurableApplicationContext context = start();
		OrdersClient client = context.getBean(OrdersClient.class);
		this.downstream.goDown();

		for (int i = 0; i < 3; i++) {
			assertThat(catchThrowable(() -> client.order("A1"))).isInstanceOf(IllegalStateException.class)
				.hasMessage("no cached order");
		}
		CircuitBreaker breaker = context.getBean(CircuitBreakerRegistry.class).find("OrdersClientorderString");
		assertThat(breaker.getState()).isEqualTo(State.OPEN);
		assertThat(breaker.getFailureCount()).isEqualTo(3);
		this.downstream.comeBack();

		assertThat(catchThrowable(() -> client.order("A1"))).isInstanceOf(IllegalStateException.class)
			.hasMessage("no cached order");
		assertThat(this.downstream.requests()).as("rejected without reaching the server").isZero();
		assertThat(context.getBean(OrdersFallback.class).causes).hasSize(4)
			.last()
			.isInstanceOf(CircuitBreakerOpenException.class);
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@EnableFeignClients(clients = { InventoryClient.class, PricesClient.class, OrdersClient.class })
	static class FeignApplication {

		@Bean
		ManualClock retryClock() {
			return new ManualClock();
		}

		@Bean
		InventoryFallback inventoryFallback() {
			return new InventoryFallback();
		}

		@Bean
		OrdersFallback ordersFallback() {
			return new OrdersFallback();
		}

	}

	@FeignClient(name = "inventory", url = "${inventory.url}", fallbackFactory = InventoryFallback.class)
	public interface InventoryClient {

		@GetMapping("/stock/{sku}")
		String stock(@PathVariable("sku") String sku);

	}

	@FeignClient(name = "prices", url = "${inventory.url}")
	public interface PricesClient {

		@GetMapping("/price/{sku}")
		String price(@PathVariable("sku") String sku);

	}

	@FeignClient(name = "orders", url = "${inventory.url}", fallbackFactory = OrdersFallback.class)
	public interface OrdersClient {

		@GetMapping("/order/{id}")
		String order(@PathVariable("id") String id);

	}

	/** A fallback with nothing to answer: it throws, keeping what each call failed with. */
	static class OrdersFallback implements FallbackFactory<OrdersClient> {

		final List<Throwable> causes = new CopyOnWriteArrayList<>();

		@Override
		public OrdersClient create(Throwable cause) {
			this.causes.add(cause);
			return (id) -> {
				throw new IllegalStateException("no cached order");
			};
		}

	}

	/** Answers for the client, keeping what each call failed with. */
	static class InventoryFallback implements FallbackFactory<InventoryClient> {

		final List<Throwable> causes = new CopyOnWriteArrayList<>();

		@Override
		public InventoryClient create(Throwable cause) {
			this.causes.add(cause);
			return (sku) -> "fallback";
		}

	}

}
