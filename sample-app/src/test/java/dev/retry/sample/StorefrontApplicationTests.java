package dev.retry.sample;

import java.time.Duration;

import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.breaker.CircuitBreaker;
import dev.retry.breaker.State;
import dev.retry.sample.downstream.FailureMode;
import dev.retry.sample.downstream.InventoryDownstream;
import dev.retry.sample.inventory.Stock;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseEntity;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "storefront.startup-demo=false")
class StorefrontApplicationTests {

	@LocalServerPort
	private int port;

	@Autowired
	private InventoryDownstream downstream;

	@Autowired
	private ManualClock clock;

	@Autowired
	private CircuitBreakerRegistry breakers;

	@BeforeEach
	void closeBreaker() {
		this.breakers.find("inventory").reset();
	}

	@Test
	void flakyInventoryIsRetriedAndTheShopAnswers() {
		RestClient client = RestClient.create("http://localhost:" + this.port);
		client.put().uri("/downstream/inventory/mode").body(FailureMode.FLAKY).retrieve().toBodilessEntity();
		this.clock.clearSleeps();

		Stock stock = client.get().uri("/api/products/{sku}/stock", "sku-1").retrieve().body(Stock.class);

		assertThat(stock.sku()).isEqualTo("sku-1");
		assertThat(this.downstream.requests()).isEqualTo(3);
		assertThat(this.clock.sleeps()).hasSize(2);
		assertThat(this.clock.sleeps().get(0)).isBetween(Duration.ofMillis(500), Duration.ofMillis(650));
	}

	@Test
	void downInventoryFailsAfterThreeAttempts() {
		RestClient client = RestClient.create("http://localhost:" + this.port);
		client.put().uri("/downstream/inventory/mode").body(FailureMode.DOWN).retrieve().toBodilessEntity();

		ResponseEntity<String> response = client.get()
			.uri("/api/products/{sku}/stock", "sku-2")
			.retrieve()
			.onStatus(HttpStatusCode::isError, (request, reply) -> {
			})
			.toEntity(String.class);

		assertThat(response.getStatusCode().is5xxServerError()).isTrue();
		assertThat(this.downstream.requests()).isEqualTo(3);
	}

	@Test
	void deadInventoryOpensTheBreakerAndTheShopAnswersFromLastKnownStockUntilItRecovers() {
		RestClient client = RestClient.create("http://localhost:" + this.port);
		switchInventory(client, FailureMode.HEALTHY);
		Stock fresh = client.get().uri("/api/products/{sku}/stock", "sku-3").retrieve().body(Stock.class);
		switchInventory(client, FailureMode.DOWN);
		CircuitBreaker breaker = this.breakers.find("inventory");

		ResponseEntity<String> failed = client.get()
			.uri("/api/products/{sku}/stock", "sku-3")
			.retrieve()
			.onStatus(HttpStatusCode::isError, (request, reply) -> {
			})
			.toEntity(String.class);
		Stock stale = client.get().uri("/api/products/{sku}/stock", "sku-3").retrieve().body(Stock.class);

		assertThat(failed.getStatusCode().value()).as("three attempts failed, breaker still closed").isEqualTo(503);
		assertThat(breaker.getState()).isEqualTo(State.OPEN);
		assertThat(stale).isEqualTo(new Stock("sku-3", fresh.available(), true));
		assertThat(this.downstream.requests()).as("5 failed attempts opened it; nothing reached the service since")
			.isEqualTo(5);
		assertThat(client.get().uri("/api/products/{sku}/stock", "sku-3").retrieve().body(Stock.class).stale()).isTrue();
		assertThat(this.downstream.requests()).isEqualTo(5);

		this.clock.advance(Duration.ofSeconds(15));
		switchInventory(client, FailureMode.HEALTHY);
		client.get().uri("/api/products/{sku}/stock", "sku-3").retrieve().body(Stock.class);
		Stock recovered = client.get().uri("/api/products/{sku}/stock", "sku-3").retrieve().body(Stock.class);

		assertThat(recovered.stale()).isFalse();
		assertThat(breaker.getState()).isEqualTo(State.CLOSED);
	}

	@Test
	void prometheusShowsRetriesAndBreakerStateWithTheirTags() {
		RestClient client = RestClient.create("http://localhost:" + this.port);
		switchInventory(client, FailureMode.FLAKY);
		client.get().uri("/api/products/{sku}/stock", "sku-4").retrieve().body(Stock.class);

		String prometheus = client.get().uri("/actuator/prometheus").retrieve().body(String.class);

		assertThat(prometheus).containsPattern(
				"retry_calls_total\\{[^}]*method=\"InventoryClient.stock\"[^}]*outcome=\"success_after_retry\"[^}]*policy=\"network\"[^}]*} [1-9]")
			.containsPattern("retry_attempts_total\\{[^}]*method=\"InventoryClient.stock\"[^}]*result=\"failure\"[^}]*} [1-9]")
			.contains("circuitbreaker_state{name=\"inventory\",state=\"closed\"} 1")
			.contains("circuitbreaker_state{name=\"inventory\",state=\"open\"} 0");
	}

	private static void switchInventory(RestClient client, FailureMode mode) {
		client.put().uri("/downstream/inventory/mode").body(mode).retrieve().toBodilessEntity();
	}

	@TestConfiguration
	static class NoRealWaiting {

		@Bean
		ManualClock retryClock() {
			return new ManualClock();
		}

	}

}
