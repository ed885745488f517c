package dev.retry.docs.tour;

import java.time.Duration;

import dev.retry.autoconfigure.RetryAutoConfiguration;
import dev.retry.docs.Downstream;
import dev.retry.docs.Yaml;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The README's tour, against a real HTTP server. */
class TourTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class))
		.withInitializer(Yaml.file("tour/application.yml"))
		.withBean(ManualClock.class)
		.withBean(RestClient.Builder.class, RestClient::builder)
		.withBean(InventoryClient.class);

	@Test
	void a503IsRetriedWithTheConfiguredBackoffUntilTheInventoryAnswers() {
		try (Downstream inventory = Downstream.answering(503, 503, 200).withBody("{\"sku\":\"sku-1\",\"quantity\":3}")) {
			this.runner.withPropertyValues("inventory.url=" + inventory.url()).run((context) -> {
				Stock stock = context.getBean(InventoryClient.class).stock("sku-1");

				assertThat(stock).isEqualTo(new Stock("sku-1", 3));
				assertThat(inventory.requests()).isEqualTo(3);
				// base-delay 200ms, doubled, plus up to 30% jitter (the network preset's)
				assertThat(context.getBean(ManualClock.class).sleeps()).hasSize(2)
					.satisfies((sleeps) -> assertThat(sleeps.get(0)).isBetween(Duration.ofMillis(200), Duration.ofMillis(260)))
					.satisfies((sleeps) -> assertThat(sleeps.get(1)).isBetween(Duration.ofMillis(400), Duration.ofMillis(520)));
			});
		}
	}

	@Test
	void aDeadInventoryOpensTheBreakerAndTheLastKnownStockAnswersWithoutARequest() {
		try (Downstream inventory = Downstream.answering(200, 503).withBody("{\"sku\":\"sku-1\",\"quantity\":3}")) {
			this.runner.withPropertyValues("inventory.url=" + inventory.url()).run((context) -> {
				InventoryClient client = context.getBean(InventoryClient.class);
				client.stock("sku-1");
				// four attempts, each a failure the breaker counts
				assertThatExceptionOfType(HttpServerErrorException.ServiceUnavailable.class)
					.isThrownBy(() -> client.stock("sku-1"));
				// the fifth consecutive failure opens it: the retry stops, the fallback answers
				assertThat(client.stock("sku-1").quantity()).isEqualTo(3);
				int requests = inventory.requests();

				assertThat(client.stock("sku-1")).isEqualTo(new Stock("sku-1", 3));
				assertThat(inventory.requests()).isEqualTo(requests).isEqualTo(1 + 4 + 1);
			});
		}
	}

}
