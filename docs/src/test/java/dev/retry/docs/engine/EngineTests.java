package dev.retry.docs.engine;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.CircuitBreakerOpenException;
import dev.retry.breaker.CircuitBreaker;
import dev.retry.breaker.CircuitBreakerConfig;
import dev.retry.execution.ReactiveRetry;
import dev.retry.execution.RetryExecutor;
import dev.retry.execution.RetryRuntime;
import dev.retry.policy.RetryPolicy;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The examples of docs/engine-without-spring.md: the engine with no Spring at all. */
class EngineTests {

	private final ManualClock clock = new ManualClock();

	// Real time in an application (RetryRuntime.defaults()); a clock that never waits here.
	private final RetryRuntime runtime = RetryRuntime.defaults()
		.withSleeper(this.clock)
		.withTicker(this.clock)
		.withScheduler(this.clock);

	private final Inventory inventory = new Inventory(2);

	@Test
	void aSupplierIsRetriedWithItsPolicysDelays() throws Throwable {
		RetryRuntime runtime = this.runtime;
		String sku = "sku-1";
		// tag::sync[]
		RetryPolicy policy = RetryPolicy.builder("network").maxAttempts(4).baseDelay(Duration.ofMillis(200)).build();
		RetryExecutor executor = RetryExecutor.builder("Inventory.stock", policy)
			.runtime(runtime)
			.build();
		int stock = executor.get(() -> inventory.stock(sku));
		// end::sync[]
		assertThat(stock).isEqualTo(7);
		assertThat(this.inventory.calls).hasValue(3);
		assertThat(this.clock.sleeps()).hasSize(2);
	}

	@Test
	void aBreakerOpensAfterFiveFailuresInARowAndThenRejectsWithoutACall() throws Throwable {
		RetryRuntime runtime = this.runtime;
		Inventory inventory = new Inventory(Integer.MAX_VALUE);
		String sku = "sku-1";
		// tag::breaker[]
		RetryPolicy policy = RetryPolicy.builder("network").maxAttempts(4).baseDelay(Duration.ofMillis(200)).build();
		CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("inventory").failureThreshold(5).build());
		RetryExecutor guarded = RetryExecutor.builder("Inventory.stock", policy)
			.runtime(runtime)
			.breaker(breaker)
			.build();
		// end::breaker[]
		assertThatExceptionOfType(ConnectException.class).isThrownBy(() -> guarded.get(() -> inventory.stock(sku)));
		// its first attempt is the fifth failure in a row: the breaker opens, its retry is not made
		assertThatThrownBy(() -> guarded.get(() -> inventory.stock(sku)))
			.isInstanceOfAny(ConnectException.class, CircuitBreakerOpenException.class);
		assertThat(inventory.calls).hasValue(5);
		assertThatExceptionOfType(CircuitBreakerOpenException.class)
			.isThrownBy(() -> guarded.get(() -> inventory.stock(sku)));
		assertThat(inventory.calls).hasValue(5);
	}

	@Test
	void aFutureAndAMonoAreRetriedWithoutHoldingAThread() {
		RetryRuntime runtime = this.runtime;
		Inventory inventory = this.inventory;
		String sku = "sku-1";
		RetryExecutor executor = RetryExecutor.builder("Inventory.stock",
				RetryPolicy.builder("network").maxAttempts(4).baseDelay(Duration.ofMillis(200)).build())
			.runtime(runtime)
			.build();
		// tag::async[]
		CompletableFuture<Integer> later = executor.callAsync(sku, (s, attempt) -> inventory.stockAsync(s), null);
		Mono<Integer> reactive = ReactiveRetry.mono(executor, Mono.fromCallable(() -> inventory.stock(sku)), sku, null);
		// end::async[]
		assertThat(later).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(7);
		inventory.failures.set(2);
		assertThat(reactive.block(Duration.ofSeconds(5))).isEqualTo(7);
		assertThat(inventory.calls).hasValue(6);
	}

	static class Inventory {

		final AtomicInteger calls = new AtomicInteger();

		final AtomicInteger failures;

		Inventory(int failures) {
			this.failures = new AtomicInteger(failures);
		}

		int stock(String sku) throws IOException {
			this.calls.incrementAndGet();
			if (this.failures.getAndDecrement() > 0) {
				throw new ConnectException("Connection refused");
			}
			return 7;
		}

		CompletableFuture<Integer> stockAsync(String sku) {
			try {
				return CompletableFuture.completedFuture(stock(sku));
			}
			catch (IOException ex) {
				return CompletableFuture.failedFuture(ex);
			}
		}

	}

}
