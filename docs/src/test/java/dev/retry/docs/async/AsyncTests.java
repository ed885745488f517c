package dev.retry.docs.async;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.autoconfigure.RetryAutoConfiguration;
import dev.retry.docs.Downstream;
import dev.retry.time.Scheduler;
import dev.retry.time.Sleeper;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/** The examples of docs/async-reactive-kotlin.md, against a real HTTP server: no thread sleeps. */
class AsyncTests {

	private final AtomicInteger scheduled = new AtomicInteger();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class))
		.withBean(Sleeper.class, () -> (nanos) -> {
			throw new AssertionError("an asynchronous call never sleeps a thread");
		})
		.withBean(Scheduler.class, () -> (task, delayNanos) -> {
			this.scheduled.incrementAndGet();
			task.run();
			return java.util.concurrent.CompletableFuture.completedFuture(null);
		})
		.withPropertyValues("retry.circuit-breakers.pricing.failure-threshold=2");

	@Test
	void aFutureIsInvokedAgainWhenItFails() {
		try (Downstream inventory = Downstream.answering(503, 503, 200).withBody("7")) {
			this.runner.withBean(StorefrontClients.class, () -> new StorefrontClients(inventory.url())).run((context) -> {
				String stock = context.getBean(StorefrontClients.class).stock("sku-1").get();

				assertThat(stock).isEqualTo("7");
				assertThat(inventory.requests()).isEqualTo(3);
				assertThat(this.scheduled).hasValue(2);
			});
		}
	}

	@Test
	void aMonoIsResubscribedAndItsBreakerFallbackAnswersOnceItIsOpen() {
		try (Downstream pricing = Downstream.answering(503, 200, 503)
			.withBody("{\"sku\":\"sku-1\",\"amount\":\"17.50\",\"list\":false}")) {
			this.runner.withBean(StorefrontClients.class, () -> new StorefrontClients(pricing.url())).run((context) -> {
				StorefrontClients clients = context.getBean(StorefrontClients.class);
				assertThat(clients.price("sku-1").block(Duration.ofSeconds(10)).amount()).isEqualTo("17.50");

				// pricing goes down: two failures open its breaker, the list price answers
				assertThat(clients.price("sku-1").block(Duration.ofSeconds(10))).isEqualTo(Price.list("sku-1"));
				int requests = pricing.requests();
				assertThat(clients.price("sku-1").block(Duration.ofSeconds(10))).isEqualTo(Price.list("sku-1"));
				assertThat(pricing.requests()).isEqualTo(requests);
			});
		}
	}

}
