package dev.retry.execution;

import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import dev.retry.backoff.Jitter;
import dev.retry.budget.RetryBudget;
import dev.retry.classify.FailureClassifier;
import dev.retry.classify.HttpStatusResolver;
import dev.retry.classify.RetryAfterResolver;
import dev.retry.classify.Retryability;
import dev.retry.event.CallTarget;
import dev.retry.event.Outcome;
import dev.retry.event.RetryListener;
import dev.retry.policy.RetryPolicy;
import dev.retry.policy.RetryPolicyBuilder;
import dev.retry.time.ManualClock;
import dev.retry.time.Ticker;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Retry-After hints and retry budgets, the protections that keep retries from hurting a failing service. */
class OutageProtectionTest {

	private final ManualClock clock = new ManualClock();

	/** Asks for the wait carried by the message, such as "slow down 5". */
	private static final RetryAfterResolver SLOW_DOWN = (failure, now) -> (failure instanceof SlowDown slowDown)
			? Duration.ofSeconds(slowDown.seconds) : null;

	private RetryExecutor executor(RetryPolicyBuilder policy, RetryAfterResolver retryAfter) {
		RetryRuntime runtime = RetryRuntime.defaults()
			.withSleeper(this.clock)
			.withTicker(this.clock)
			.withRandom(() -> 0.0)
			.withRetryAfter(retryAfter);
		return RetryExecutor.builder("Pricing.quote", policy.build())
			.runtime(runtime)
			.build();
	}

	private static RetryPolicyBuilder network() {
		return RetryPolicy.builder("network").jitter(Jitter.NONE);
	}

	@Test
	void waitsTheLargerOfTheHintAndTheBackoff() throws Throwable {
		RetryExecutor executor = executor(network().maxAttempts(4), SLOW_DOWN);
		AtomicInteger calls = new AtomicInteger();

		String answer = executor.get(() -> {
			int call = calls.incrementAndGet();
			if (call == 1) {
				throw new SlowDown(5);
			}
			if (call == 2) {
				throw new IllegalStateException("wrapped", new SlowDown(0));
			}
			if (call == 3) {
				throw new ConnectException("no hint");
			}
			return "quote";
		});

		assertThat(answer).isEqualTo("quote");
		assertThat(this.clock.sleeps()).as("hint 5s > 1s; hint 0s < 2s (found in the cause); no hint: 4s")
			.containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(4));
	}

	@Test
	void hintIsCappedAtMaxDelay() {
		RetryExecutor executor = executor(network().maxAttempts(2).maxDelay(Duration.ofSeconds(10)), SLOW_DOWN);

		catchThrowable(() -> executor.get(() -> {
			throw new SlowDown(3600);
		}));

		assertThat(this.clock.sleeps()).containsExactly(Duration.ofSeconds(10));
	}

	@Test
	void hintIsIgnoredWhenThePolicySaysSo() {
		RetryExecutor executor = executor(network().maxAttempts(2).respectRetryAfter(false), SLOW_DOWN);

		catchThrowable(() -> executor.get(() -> {
			throw new SlowDown(5);
		}));

		assertThat(this.clock.sleeps()).containsExactly(Duration.ofSeconds(1));
	}

	@Test
	void hintPastTheDeadlineStopsTheCallInsteadOfWaiting() {
		List<String> outcomes = new ArrayList<>();
		RetryRuntime runtime = RetryRuntime.defaults()
			.withSleeper(this.clock)
			.withTicker(this.clock)
			.withRetryAfter(SLOW_DOWN)
			.withListeners(List.of(new RetryListener() {
				@Override
				public void onCompleted(CallTarget target, Outcome outcome, int attempts, Throwable failure) {
					outcomes.add(outcome.tag() + " after " + attempts);
				}
			}));
		RetryExecutor executor = RetryExecutor.builder("Pricing.quote",
				network().maxDuration(Duration.ofSeconds(30)).maxDelay(Duration.ofMinutes(5)).build())
			.runtime(runtime)
			.build();

		Throwable failure = catchThrowable(() -> executor.get(() -> {
			throw new SlowDown(60);
		}));

		assertThat(failure).isInstanceOf(SlowDown.class);
		assertThat(this.clock.sleeps()).isEmpty();
		assertThat(outcomes).containsExactly("deadline_exceeded after 1");
	}

	@Test
	void budgetBoundsTheAttemptsOfManyCallersAgainstADeadService() throws Exception {
		int callers = 2_000;
		Amplification without = underFullOutage(callers, network().maxAttempts(3));
		Amplification with = underFullOutage(callers, network().maxAttempts(3).budget(0.1, 10, Duration.ofSeconds(10)));

		assertThat(without.attempts).as("no budget: every caller tries 3 times").isEqualTo(3L * callers);
		long bound = callers + Math.round(10 * 10 + 0.1 * callers);
		assertThat(with.attempts).as("calls + min-retries-per-second x window + ratio x calls").isLessThanOrEqualTo(bound)
			.isGreaterThan(callers);
		assertThat(with.outcomes.get(Outcome.BUDGET_EXHAUSTED)).isPositive();
		assertThat(with.outcomes.get(Outcome.BUDGET_EXHAUSTED) + with.outcomes.get(Outcome.EXHAUSTED))
			.isEqualTo(callers);
		System.out.printf("Amplification under full outage, %d calls, max-attempts 3: %.2f without a budget, "
				+ "%.2f with ratio 0.1 (bound %.2f)%n", callers, without.ratio(callers), with.ratio(callers),
				bound / (double) callers);
	}

	/** Many threads call an always-failing downstream through one executor; nothing really waits. */
	private Amplification underFullOutage(int calls, RetryPolicyBuilder policy) throws Exception {
		LongAdder attempts = new LongAdder();
		Map<Outcome, Integer> outcomes = new ConcurrentHashMap<>();
		for (Outcome outcome : Outcome.values()) {
			outcomes.put(outcome, 0);
		}
		Ticker frozen = () -> 0L;
		RetryPolicy built = policy.build();
		RetryRuntime runtime = RetryRuntime.defaults()
			.withSleeper((nanos) -> {
			})
			.withTicker(frozen)
			.withListeners(List.of(new RetryListener() {
				@Override
				public void onCompleted(CallTarget target, Outcome outcome, int attempts, Throwable failure) {
					outcomes.merge(outcome, 1, Integer::sum);
				}
			}));
		RetryExecutor executor = RetryExecutor.builder("Inventory.fetch", built)
			.classifier(new FailureClassifier(built, HttpStatusResolver.NONE))
			.runtime(runtime)
			.budget(RetryBudget.of(built.getBudget(), frozen))
			.build();
		ExecutorService pool = Executors.newFixedThreadPool(32);
		CountDownLatch start = new CountDownLatch(1);
		List<Future<?>> futures = new ArrayList<>();
		for (int i = 0; i < calls; i++) {
			futures.add(pool.submit(() -> {
				start.await();
				return catchThrowable(() -> executor.get(() -> {
					attempts.increment();
					throw new ConnectException("refused");
				}));
			}));
		}
		start.countDown();
		for (Future<?> future : futures) {
			assertThat(future.get(30, TimeUnit.SECONDS)).isInstanceOf(ConnectException.class);
		}
		pool.shutdown();
		return new Amplification(attempts.sum(), outcomes);
	}

	private record Amplification(long attempts, Map<Outcome, Integer> outcomes) {

		double ratio(int calls) {
			return this.attempts / (double) calls;
		}

	}

	static class SlowDown extends RuntimeException implements Retryability {

		final long seconds;

		SlowDown(long seconds) {
			super("slow down " + seconds);
			this.seconds = seconds;
		}

		@Override
		public boolean isTransient() {
			return true;
		}

	}

}
