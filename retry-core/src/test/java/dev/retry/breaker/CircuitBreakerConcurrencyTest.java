package dev.retry.breaker;

import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.CircuitBreakerOpenException;
import dev.retry.classify.HttpStatusResolver;
import dev.retry.time.ManualClock;
import dev.retry.time.Ticker;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Many threads hammering one breaker: its promises hold exactly, not approximately. */
class CircuitBreakerConcurrencyTest {

	private static final int THREADS = 32;

	@Test
	void halfOpenLetsExactlyTheConfiguredNumberOfTrialCallsThrough() throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(THREADS);
		try {
			for (int round = 0; round < 200; round++) {
				int halfOpenCalls = 1 + round % 5;
				ManualClock clock = new ManualClock();
				AtomicInteger halfOpenings = new AtomicInteger();
				CircuitBreaker breaker = new CircuitBreaker(CircuitBreakerConfig.builder("shared")
					.failureThreshold(1)
					.halfOpenCalls(halfOpenCalls)
					.openDuration(Duration.ofSeconds(1))
					.build(), clock, HttpStatusResolver.NONE, List.of((name, from, to, reason) -> {
						if (to == State.HALF_OPEN) {
							halfOpenings.incrementAndGet();
						}
					}));
				breaker.onFailure(breaker.tryAcquire(), new ConnectException(), 0);
				clock.advance(Duration.ofSeconds(1));
				CyclicBarrier start = new CyclicBarrier(THREADS);
				List<Future<Boolean>> admitted = new ArrayList<>();
				for (int t = 0; t < THREADS; t++) {
					admitted.add(pool.submit(() -> {
						start.await();
						return breaker.tryAcquire() != null;
					}));
				}
				int passed = 0;
				for (Future<Boolean> result : admitted) {
					passed += result.get() ? 1 : 0;
				}

				assertThat(passed).as("round %d", round).isEqualTo(halfOpenCalls);
				assertThat(halfOpenings).as("round %d", round).hasValue(1);
				assertThat(breaker.getRejectedCount()).isEqualTo(THREADS - halfOpenCalls);
			}
		}
		finally {
			pool.shutdownNow();
		}
	}

	@Test
	void countersAreExactAfterAMillionMixedCallsAcrossTransitions() throws Exception {
		int perThread = 1_000_000 / THREADS;
		CircuitBreaker breaker = new CircuitBreaker(CircuitBreakerConfig.builder("shared")
			.failureThreshold(3)
			.openDuration(Duration.ofNanos(50_000))
			.halfOpenCalls(2)
			.build(), Ticker.SYSTEM, (t) -> (t instanceof IllegalArgumentException) ? 400 : -1, List.of());
		AtomicInteger successes = new AtomicInteger();
		AtomicInteger failures = new AtomicInteger();
		AtomicInteger ignored = new AtomicInteger();
		AtomicInteger rejected = new AtomicInteger();
		ExecutorService pool = Executors.newFixedThreadPool(THREADS);
		CyclicBarrier start = new CyclicBarrier(THREADS);
		List<Future<?>> done = new ArrayList<>();
		for (int t = 0; t < THREADS; t++) {
			done.add(pool.submit(() -> {
				start.await();
				ThreadLocalRandom random = ThreadLocalRandom.current();
				for (int i = 0; i < perThread; i++) {
					int kind = random.nextInt(10);
					try {
						breaker.execute(kind, (k, n) -> {
							if (k < 2) {
								throw new ConnectException("refused");
							}
							if (k == 2) {
								throw new IllegalArgumentException("bad request");
							}
							return k;
						}, 1);
						successes.incrementAndGet();
					}
					catch (CircuitBreakerOpenException ex) {
						rejected.incrementAndGet();
					}
					catch (ConnectException ex) {
						failures.incrementAndGet();
					}
					catch (IllegalArgumentException ex) {
						ignored.incrementAndGet();
					}
					catch (Throwable unexpected) {
						throw new AssertionError(unexpected);
					}
				}
				return null;
			}));
		}
		for (Future<?> future : done) {
			future.get();
		}
		pool.shutdownNow();

		assertThat(successes.get() + failures.get() + ignored.get() + rejected.get()).isEqualTo(perThread * THREADS);
		assertThat(breaker.getSuccessCount()).isEqualTo(successes.get());
		assertThat(breaker.getFailureCount()).isEqualTo(failures.get());
		assertThat(breaker.getIgnoredCount()).isEqualTo(ignored.get());
		assertThat(breaker.getRejectedCount()).isEqualTo(rejected.get());
		assertThat(rejected.get()).as("the breaker opened along the way").isPositive();
	}

}
