package dev.retry.autoconfigure.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.autoconfigure.diagnostics.RetryConfigurationException;
import dev.retry.breaker.CircuitBreaker;
import dev.retry.breaker.CircuitBreakerConfig;
import dev.retry.classify.HttpStatusResolver;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class CircuitBreakerRegistryTests {

	private final ManualClock clock = new ManualClock();

	private final AtomicInteger made = new AtomicInteger();

	private final CircuitBreaker inventory = breaker(CircuitBreakerConfig.builder("inventory").build());

	private final CircuitBreakerRegistry registry = new CircuitBreakerRegistry(Map.of("inventory", this.inventory),
			(config) -> {
				this.made.incrementAndGet();
				return breaker(config);
			}, (name) -> CircuitBreakerConfig.builder(name).failureThreshold(2).build());

	private CircuitBreaker breaker(CircuitBreakerConfig config) {
		return new CircuitBreaker(config, this.clock, HttpStatusResolver.NONE, List.of());
	}

	@Test
	void aConfiguredNameIsTheConfiguredBreakerAndMakesNothing() {
		assertThat(this.registry.getOrCreate("inventory")).isSameAs(this.inventory);
		assertThat(this.made).hasValue(0);
		assertThat(this.registry.isOnDemand("inventory")).isFalse();
	}

	@Test
	void aNewNameIsMadeOnceWithTheOnDemandConfigurationAndListedFromThenOn() {
		CircuitBreaker made = this.registry.getOrCreate("InventoryClient#stock(String)");

		assertThat(made.getName()).isEqualTo("InventoryClient#stock(String)");
		assertThat(made.getConfig().getFailureThreshold()).isEqualTo(2);
		assertThat(this.registry.getOrCreate("InventoryClient#stock(String)")).isSameAs(made);
		assertThat(this.registry.find("InventoryClient#stock(String)")).isSameAs(made);
		assertThat(this.registry.names()).containsExactly("InventoryClient#stock(String)", "inventory");
		assertThat(this.registry.onDemandNames()).containsExactly("InventoryClient#stock(String)");
		assertThat(this.made).hasValue(1);
	}

	@Test
	void anAnnotationNamesConfiguredBreakersOnlyNeverOneMadeOnDemand() {
		this.registry.getOrCreate("route-a");

		assertThat(this.registry.get("inventory", "Inventory.stock()")).isSameAs(this.inventory);
		assertThatExceptionOfType(RetryConfigurationException.class)
			.isThrownBy(() -> this.registry.get("route-a", "Inventory.stock()"))
			.withMessageContaining("Configured circuit breakers: inventory.");
	}

	@Test
	void findNeverMakesABreaker() {
		assertThat(this.registry.find("payments")).isNull();
		assertThat(this.registry.names()).containsExactly("inventory");
		assertThat(this.made).hasValue(0);
	}

	@Test
	void aRegistryOfConfiguredBreakersOnlyMakesNone() {
		CircuitBreakerRegistry configuredOnly = new CircuitBreakerRegistry(Map.of("inventory", this.inventory));

		assertThatIllegalStateException().isThrownBy(() -> configuredOnly.getOrCreate("payments"))
			.withMessageContaining("'payments'");
		assertThat(configuredOnly.names()).containsExactly("inventory");
	}

	@Test
	void watchersHearOfEveryBreakerThereIsAndOfEachOneMadeLaterOnce() {
		List<String> heard = new CopyOnWriteArrayList<>();
		this.registry.onBreakerAdded((breaker) -> heard.add(breaker.getName()));
		assertThat(heard).containsExactly("inventory");

		this.registry.getOrCreate("route-a");
		this.registry.getOrCreate("route-a");
		this.registry.getOrCreate("route-b");

		assertThat(heard).containsExactly("inventory", "route-a", "route-b");
	}

	@Test
	void aWatcherThatThrowsNeverKeepsABreakerFromBeingMade() {
		List<String> heard = new CopyOnWriteArrayList<>();
		this.registry.onBreakerAdded((breaker) -> {
			throw new IllegalStateException("meter registry closed");
		});
		this.registry.onBreakerAdded((breaker) -> heard.add(breaker.getName()));

		CircuitBreaker made = this.registry.getOrCreate("route-a");

		assertThat(made.getName()).isEqualTo("route-a");
		assertThat(heard).containsExactly("inventory", "route-a");
	}

	@Test
	void aWatcherHasSetUpTheBreakerBeforeAnyCallerGetsIt() throws Exception {
		CountDownLatch watching = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		this.registry.onBreakerAdded((breaker) -> {
			if (breaker.getName().equals("route-a")) {
				watching.countDown();
				await(release);
			}
		});
		ExecutorService threads = Executors.newFixedThreadPool(2);
		try {
			Future<CircuitBreaker> first = threads.submit(() -> this.registry.getOrCreate("route-a"));
			assertThat(watching.await(5, TimeUnit.SECONDS)).isTrue();
			Future<CircuitBreaker> second = threads.submit(() -> this.registry.getOrCreate("route-a"));

			assertThat(this.registry.find("route-a")).as("not listed while its watchers set it up").isNull();
			assertThat(second.isDone()).isFalse();
			release.countDown();

			assertThat(second.get(5, TimeUnit.SECONDS)).isSameAs(first.get(5, TimeUnit.SECONDS));
		}
		finally {
			release.countDown();
			threads.shutdownNow();
		}
	}

	@Test
	void manyThreadsAskingForTheSameNewNamesGetOneBreakerPerName() throws Exception {
		AtomicInteger heard = new AtomicInteger();
		this.registry.onBreakerAdded((breaker) -> heard.incrementAndGet());
		int threads = 32;
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		CountDownLatch go = new CountDownLatch(1);
		List<Future<List<CircuitBreaker>>> results = new ArrayList<>();
		try {
			for (int t = 0; t < threads; t++) {
				results.add(pool.submit(() -> {
					go.await();
					List<CircuitBreaker> got = new ArrayList<>();
					for (int i = 0; i < 200; i++) {
						got.add(this.registry.getOrCreate("route-" + (i % 20)));
					}
					return got;
				}));
			}
			go.countDown();
			Set<CircuitBreaker> distinct = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
			for (Future<List<CircuitBreaker>> result : results) {
				distinct.addAll(result.get(30, TimeUnit.SECONDS));
			}

			assertThat(distinct).hasSize(20);
			assertThat(this.made).hasValue(20);
			assertThat(heard).as("the configured breaker, then each new one once").hasValue(21);
			assertThat(this.registry.names()).hasSize(21);
		}
		finally {
			pool.shutdownNow();
		}
	}

	@Test
	void noBreakerIsMadeWhileAChangeHoldsAdditions() throws Exception {
		CountDownLatch changing = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		ExecutorService threads = Executors.newFixedThreadPool(2);
		try {
			threads.submit(() -> this.registry.holdingAdditions(() -> {
				changing.countDown();
				await(release);
			}));
			assertThat(changing.await(5, TimeUnit.SECONDS)).isTrue();
			Future<CircuitBreaker> made = threads.submit(() -> this.registry.getOrCreate("route-a"));
			// The configured breaker is found without waiting for the change.
			assertThat(this.registry.getOrCreate("inventory")).isSameAs(this.inventory);
			assertThat(made.isDone()).isFalse();

			this.registry.makeOnDemandWith((name) -> CircuitBreakerConfig.builder(name)
				.openDuration(Duration.ofSeconds(5))
				.build());
			release.countDown();

			assertThat(made.get(5, TimeUnit.SECONDS).getConfig().getOpenDuration()).isEqualTo(Duration.ofSeconds(5));
		}
		finally {
			release.countDown();
			threads.shutdownNow();
		}
	}

	private static void await(CountDownLatch latch) {
		try {
			latch.await(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
