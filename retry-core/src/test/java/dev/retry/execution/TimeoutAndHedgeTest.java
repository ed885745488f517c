package dev.retry.execution;

import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.AttemptTimeoutException;
import dev.retry.backoff.Jitter;
import dev.retry.breaker.CircuitBreaker;
import dev.retry.breaker.CircuitBreakerConfig;
import dev.retry.classify.FailureClassifier;
import dev.retry.classify.HttpStatusResolver;
import dev.retry.event.CallTarget;
import dev.retry.event.RetryListener;
import dev.retry.policy.RetryPolicy;
import dev.retry.policy.RetryPolicyBuilder;
import dev.retry.time.DaemonScheduler;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Attempt timeouts and hedges, with a real watchdog (sub-second waits) and a manual clock for the
 * backoff between attempts.
 */
class TimeoutAndHedgeTest {

	private final ManualClock clock = new ManualClock();

	private final DaemonScheduler watchdog = new DaemonScheduler(2);

	private final List<String> events = new CopyOnWriteArrayList<>();

	private final RetryListener recorder = new RetryListener() {
		@Override
		public void onAttemptFailed(CallTarget target, int attempt, Throwable failure) {
			TimeoutAndHedgeTest.this.events.add("attempt " + attempt + " " + failure.getClass().getSimpleName());
		}

		@Override
		public void onHedgeEnded(CallTarget target, boolean won) {
			TimeoutAndHedgeTest.this.events.add(won ? "hedge won" : "hedge lost");
		}

		@Override
		public void onCompleted(CallTarget target, dev.retry.event.Outcome outcome, int attempts, Throwable failure) {
			TimeoutAndHedgeTest.this.events.add(outcome.tag() + " after " + attempts);
		}
	};

	@AfterEach
	void close() {
		this.watchdog.close();
	}

	private RetryRuntime runtime() {
		return RetryRuntime.defaults()
			.withSleeper(this.clock)
			.withTicker(this.clock)
			.withScheduler(this.clock)
			.withWatchdog(this.watchdog)
			.withRandom(() -> 0.0)
			.withListeners(List.of(this.recorder));
	}

	private static RetryPolicyBuilder policy() {
		return RetryPolicy.builder("network").jitter(Jitter.NONE).baseDelay(Duration.ZERO).maxDelay(Duration.ZERO);
	}

	private RetryExecutor executor(RetryPolicyBuilder policy, CircuitBreaker breaker) {
		RetryPolicy built = policy.build();
		return RetryExecutor.builder("Stock.fetch", built)
			.classifier(new FailureClassifier(built, HttpStatusResolver.NONE))
			.runtime(runtime())
			.breaker(breaker)
			.budget(dev.retry.budget.RetryBudget.of(built.getBudget(), this.clock))
			.build();
	}

	@Test
	void aSynchronousAttemptThatHangsIsInterruptedAtTheTimeoutAndRetried() {
		RetryExecutor executor = executor(policy().attemptTimeout(Duration.ofMillis(100)), null);
		AtomicInteger attempts = new AtomicInteger();
		long start = System.nanoTime();

		Throwable thrown = catchThrowable(() -> executor.get(() -> {
			attempts.incrementAndGet();
			new CountDownLatch(1).await();
			return "never";
		}));

		assertThat(thrown).isInstanceOf(AttemptTimeoutException.class).hasCauseInstanceOf(InterruptedException.class);
		assertThat(attempts).hasValue(3);
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
		assertThat(Thread.currentThread().isInterrupted()).as("the watchdog's interrupt is cleared").isFalse();
		assertThat(this.events).containsExactly("attempt 1 AttemptTimeoutException", "attempt 2 AttemptTimeoutException",
				"attempt 3 AttemptTimeoutException", "exhausted after 3");
	}

	@Test
	void aSynchronousAttemptWithinItsTimeoutIsUntouched() throws Throwable {
		RetryExecutor executor = executor(policy().attemptTimeout(Duration.ofSeconds(5)), null);

		assertThat(executor.get(() -> "in time")).isEqualTo("in time");
		assertThat(Thread.currentThread().isInterrupted()).isFalse();
		assertThat(this.watchdog.getQueuedTasks()).as("the timer was cancelled").isZero();
	}

	@Test
	void aSynchronousAnswerThatCameAfterTheWatchdogFiredIsStillTheAnswer() throws Throwable {
		RetryExecutor executor = executor(policy().maxAttempts(1).attemptTimeout(Duration.ofMillis(50)), null);

		String answer = executor.get(() -> {
			// Work that never looks at its interrupt, and ends well after the timeout.
			long end = System.nanoTime() + Duration.ofMillis(200).toNanos();
			while (System.nanoTime() < end) {
				Thread.onSpinWait();
			}
			return "late answer";
		});

		assertThat(answer).isEqualTo("late answer");
		assertThat(Thread.currentThread().isInterrupted()).as("the watchdog's interrupt is cleared").isFalse();
		assertThat(this.events).containsExactly("success after 1");
	}

	@Test
	void anInterruptThatDidNotComeFromTheWatchdogStillEndsTheCall() {
		RetryExecutor executor = executor(policy().attemptTimeout(Duration.ofSeconds(5)), null);
		try {
			Thread.currentThread().interrupt();
			Throwable thrown = catchThrowable(() -> executor.get(() -> {
				new CountDownLatch(1).await();
				return "never";
			}));

			assertThat(thrown).isInstanceOf(InterruptedException.class);
			assertThat(Thread.currentThread().isInterrupted()).isTrue();
			assertThat(this.events).containsExactly("attempt 1 InterruptedException", "not_retryable after 1");
		}
		finally {
			Thread.interrupted();
		}
	}

	@Test
	void aTimedOutAttemptCountsAsAFailureOfTheBreaker() {
		CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("stock").failureThreshold(10).build());
		RetryExecutor executor = executor(policy().maxAttempts(2).attemptTimeout(Duration.ofMillis(50)), breaker);

		catchThrowable(() -> executor.get(() -> {
			new CountDownLatch(1).await();
			return "never";
		}));

		assertThat(breaker.getFailureCount()).isEqualTo(2);
	}

	@Test
	void anAsyncAttemptThatNeverAnswersIsCancelledAtTheTimeoutAndRetried() throws Exception {
		CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("stock").failureThreshold(10).build());
		RetryExecutor executor = executor(policy().attemptTimeout(Duration.ofMillis(100)), breaker);
		List<CompletableFuture<String>> started = new CopyOnWriteArrayList<>();

		CompletableFuture<String> call = executor.callAsync(null, (context, attempt) -> {
			CompletableFuture<String> hung = new CompletableFuture<>();
			started.add(hung);
			return (attempt < 3) ? hung : CompletableFuture.completedFuture("answered on attempt 3");
		}, null);

		assertThat(call.get(2, TimeUnit.SECONDS)).isEqualTo("answered on attempt 3");
		assertThat(started.subList(0, 2)).allMatch(CompletableFuture::isCancelled);
		assertThat(breaker.getFailureCount()).isEqualTo(2);
		assertThat(this.events).containsExactly("attempt 1 AttemptTimeoutException", "attempt 2 AttemptTimeoutException",
				"success_after_retry after 3");
	}

	@Test
	void aSlowAttemptIsHedgedAndTheFirstAnswerWinsTheSlowOneIsCancelled() throws Exception {
		CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("stock").failureThreshold(10).build());
		RetryExecutor executor = executor(policy().hedgeDelay(Duration.ofMillis(50)), breaker);
		CompletableFuture<String> slow = new CompletableFuture<>();
		AtomicInteger runners = new AtomicInteger();

		CompletableFuture<String> call = executor.callAsync(null,
				(context, attempt) -> (runners.incrementAndGet() == 1) ? slow
						: CompletableFuture.completedFuture("from the hedge"), null);

		assertThat(call.get(2, TimeUnit.SECONDS)).isEqualTo("from the hedge");
		assertThat(slow).isCancelled();
		assertThat(runners).hasValue(2);
		assertThat(this.events).containsExactly("hedge won", "success after 1");
		assertThat(breaker.getSuccessCount()).as("the hedge passed the breaker").isEqualTo(1);
	}

	@Test
	void aHedgeThatLosesIsCountedAndCancelled() throws Exception {
		RetryExecutor executor = executor(policy().hedgeDelay(Duration.ofMillis(30)).maxHedges(1), null);
		CompletableFuture<String> first = new CompletableFuture<>();
		CompletableFuture<String> hedge = new CompletableFuture<>();
		AtomicInteger runners = new AtomicInteger();

		CompletableFuture<String> call = executor.callAsync(null,
				(context, attempt) -> (runners.incrementAndGet() == 1) ? first : hedge, null);
		org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> runners.get() == 2);
		first.complete("first after all");

		assertThat(call.get(2, TimeUnit.SECONDS)).isEqualTo("first after all");
		assertThat(hedge).isCancelled();
		assertThat(this.events).containsExactly("hedge lost", "success after 1");
	}

	@Test
	void noHedgeStartsWhenTheRetryBudgetIsSpent() throws Exception {
		RetryExecutor executor = executor(policy().hedgeDelay(Duration.ofMillis(20))
			.budget(0.0001, 0, Duration.ofSeconds(10)), null);
		CompletableFuture<String> slow = new CompletableFuture<>();
		AtomicInteger runners = new AtomicInteger();

		CompletableFuture<String> call = executor.callAsync(null, (context, attempt) -> {
			runners.incrementAndGet();
			return slow;
		}, null);
		CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS).execute(() -> slow.complete("slow but alone"));

		assertThat(call.get(2, TimeUnit.SECONDS)).isEqualTo("slow but alone");
		assertThat(runners).as("no hedge: the budget allows no extra attempt").hasValue(1);
	}

	@Test
	void aMonoThatDoesNotAnswerInTimeIsCancelledAndRetried() {
		RetryExecutor executor = executor(policy().attemptTimeout(Duration.ofMillis(100)), null);
		AtomicInteger subscriptions = new AtomicInteger();
		AtomicInteger cancelled = new AtomicInteger();
		Mono<String> source = Mono.defer(() -> (subscriptions.incrementAndGet() < 3)
				? Mono.<String>never().doOnCancel(cancelled::incrementAndGet) : Mono.just("third time"));

		String answer = ReactiveRetry.mono(executor, source, null, null).block(Duration.ofSeconds(2));

		assertThat(answer).isEqualTo("third time");
		assertThat(cancelled).hasValue(2);
		// block() returns on the value; the outcome follows with the completion.
		org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(this.events)
			.containsExactly("attempt 1 AttemptTimeoutException", "attempt 2 AttemptTimeoutException",
					"success_after_retry after 3"));
	}

	@Test
	void aSlowMonoIsHedged() {
		RetryExecutor executor = executor(policy().hedgeDelay(Duration.ofMillis(50)), null);
		AtomicInteger subscriptions = new AtomicInteger();
		AtomicInteger cancelled = new AtomicInteger();
		Mono<String> source = Mono.defer(() -> (subscriptions.incrementAndGet() == 1)
				? Mono.<String>never().doOnCancel(cancelled::incrementAndGet) : Mono.just("from the hedge"));

		String answer = ReactiveRetry.mono(executor, source, null, null).block(Duration.ofSeconds(2));

		assertThat(answer).isEqualTo("from the hedge");
		assertThat(cancelled).hasValue(1);
		org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(this.events)
			.containsExactly("hedge won", "success after 1"));
	}

	@Test
	void aHedgedMonoWhoseRunnersAllFailFailsWithTheFirstFailure() {
		RetryExecutor executor = executor(policy().maxAttempts(1).hedgeDelay(Duration.ofMillis(20)), null);
		AtomicInteger subscriptions = new AtomicInteger();
		Mono<String> source = Mono.defer(() -> Mono.delay(Duration.ofMillis(60))
			.then(Mono.error(new ConnectException("refused #" + subscriptions.incrementAndGet()))));

		Throwable thrown = catchThrowable(() -> ReactiveRetry.mono(executor, source, null, null).block(Duration.ofSeconds(2)));

		assertThat(reactor.core.Exceptions.unwrap(thrown)).isInstanceOf(ConnectException.class);
	}

	@Test
	void attemptTimeoutCannotExceedMaxDuration() {
		assertThat(catchThrowable(() -> policy().maxDuration(Duration.ofSeconds(1)).attemptTimeout(Duration.ofSeconds(2))
			.build())).hasMessage("attemptTimeout must be <= maxDuration (PT1S), was PT2S");
	}

}
