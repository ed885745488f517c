package dev.retry.sample;

import java.time.Duration;

import dev.retry.sample.downstream.FailureMode;
import dev.retry.sample.downstream.InventoryDownstream;
import dev.retry.sample.inventory.Stock;
import dev.retry.time.ManualClock;
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

	@TestConfiguration
	static class NoRealWaiting {

		@Bean
		ManualClock retryClock() {
			return new ManualClock();
		}

	}

}
