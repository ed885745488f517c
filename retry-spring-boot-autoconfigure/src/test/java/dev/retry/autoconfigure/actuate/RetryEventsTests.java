package dev.retry.autoconfigure.actuate;

import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.retry.autoconfigure.actuate.RetryEvents.RetryEvent;
import dev.retry.autoconfigure.actuate.RetryEventsEndpoint.RetryEventsDescriptor;
import dev.retry.breaker.State;
import dev.retry.event.CallTarget;
import dev.retry.event.Outcome;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The events ring and its endpoint, without a context. */
class RetryEventsTests {

	private final ManualClock clock = new ManualClock();

	private final CallTarget inventory = new CallTarget("InventoryClient.stock", "network");

	private final CallTarget pricing = new CallTarget("PricingClient.price", "pricing");

	@Test
	void keepsTheNewestEventsUpToItsCapacityNewestFirst() {
		RetryEvents events = new RetryEvents(3, this.clock);
		for (int i = 1; i <= 5; i++) {
			events.onRetryScheduled(this.inventory, 2, 3, Duration.ofMillis(100 * i), new ConnectException("refused #" + i));
		}

		assertThat(events.recent((event) -> true, 10)).extracting(RetryEvent::error).containsExactly(
				"java.net.ConnectException: refused #5", "java.net.ConnectException: refused #4",
				"java.net.ConnectException: refused #3");
	}

	@Test
	void theEndpointFiltersByMethodAndBreakerAndLimits() {
		RetryEvents events = new RetryEvents(100, this.clock);
		RetryEventsEndpoint endpoint = new RetryEventsEndpoint(events);
		events.onRetryScheduled(this.inventory, 2, 3, Duration.ofSeconds(1), new ConnectException("refused"));
		events.onRetryScheduled(this.pricing, 2, 4, Duration.ofMillis(200), new ConnectException("429"));
		events.onCompleted(this.inventory, Outcome.EXHAUSTED, 3, new ConnectException("refused"));
		events.onCompleted(this.inventory, Outcome.SUCCESS_AFTER_RETRY, 2, null);
		events.onStateChange("inventory", State.CLOSED, State.OPEN, "5 consecutive failures, last ConnectException: "
				+ "refused https://bob:secret@inventory.example.com/stock?token=abc");

		RetryEventsDescriptor forInventory = endpoint.events("InventoryClient.stock", null, null);
		assertThat(forInventory.events()).extracting(RetryEvent::type).containsExactly("exhausted", "retry_scheduled");
		assertThat(forInventory.events().get(1)).satisfies((event) -> {
			assertThat(event.attempt()).isEqualTo(2);
			assertThat(event.maxAttempts()).isEqualTo(3);
			assertThat(event.delayMillis()).isEqualTo(1000);
			assertThat(event.policy()).isEqualTo("network");
			assertThat(event.time()).isEqualTo(ManualClock.START);
		});
		assertThat(endpoint.events(null, "inventory", null).events()).singleElement().satisfies((event) -> {
			assertThat(event.type()).isEqualTo("breaker_closed_to_open");
			assertThat(event.reason()).isEqualTo("5 consecutive failures, last ConnectException: "
					+ "refused https://inventory.example.com/stock?token=***");
		});
		assertThat(endpoint.events(null, null, 2).events()).hasSize(2);
		assertThat(endpoint.events(null, null, null).capacity()).isEqualTo(100);
	}

	@Test
	void manyThreadsWritingNeverBreakTheRingOrItsOrder() throws Exception {
		RetryEvents events = new RetryEvents(100, this.clock);
		ExecutorService writers = Executors.newFixedThreadPool(8);
		List<Future<?>> done = new ArrayList<>();
		for (int t = 0; t < 8; t++) {
			done.add(writers.submit(() -> {
				for (int i = 0; i < 20_000; i++) {
					events.onRetryScheduled(this.inventory, 2, 3, Duration.ZERO, new ConnectException("refused"));
					if (i % 1000 == 0) {
						List<RetryEvent> seen = events.recent((event) -> true, 1000);
						assertThat(seen).hasSizeLessThanOrEqualTo(100);
					}
				}
			}));
		}
		for (Future<?> writer : done) {
			writer.get(30, TimeUnit.SECONDS);
		}
		writers.shutdown();

		List<RetryEvent> last = events.recent((event) -> true, 1000);
		assertThat(last).hasSize(100);
		assertThat(last.get(0).sequence()).isEqualTo(8 * 20_000 - 1);
		assertThat(last).extracting(RetryEvent::sequence).isSortedAccordingTo((a, b) -> Long.compare(b, a));
	}

}
