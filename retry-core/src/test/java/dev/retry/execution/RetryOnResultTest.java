package dev.retry.execution;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import dev.retry.RejectedResultException;
import dev.retry.RetryExhaustedException;
import dev.retry.backoff.Jitter;
import dev.retry.breaker.CircuitBreaker;
import dev.retry.breaker.CircuitBreakerConfig;
import dev.retry.classify.FailureClassifier;
import dev.retry.classify.HttpStatusResolver;
import dev.retry.policy.OnExhausted;
import dev.retry.policy.RetryPolicy;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Results a predicate rejects are retried like transient failures, in every call style. */
class RetryOnResultTest {

	private static final Predicate<Object> PENDING = "PENDING"::equals;

	private final ManualClock clock = new ManualClock();

	private final RecordingListener recorder = new RecordingListener();

	private final CircuitBreaker breaker = CircuitBreaker.of(CircuitBreakerConfig.builder("jobs").failureThreshold(2)
		.build());

	private RetryExecutor executor(OnExhausted onExhausted) {
		RetryPolicy policy = RetryPolicy.builder("jobs").jitter(Jitter.NONE).onExhausted(onExhausted).build();
		return RetryExecutor.builder("JobClient.status", policy)
			.classifier(new FailureClassifier(policy, HttpStatusResolver.NONE))
			.runtime(RetryRuntime.defaults().withSleeper(this.clock).withTicker(this.clock).withScheduler(this.clock)
					.withRandom(() -> 0.0).withListeners(List.of(this.recorder)))
			.breaker(this.breaker)
			.retryOnResult(PENDING)
			.build();
	}

	private static String pendingUntil(AtomicInteger calls, int done) {
		return (calls.incrementAndGet() < done) ? "PENDING" : "DONE";
	}

	@Test
	void aRejectedResultIsRetriedWithTheSameBackoffAndListenersSeeWhy() throws Throwable {
		AtomicInteger calls = new AtomicInteger();

		String status = executor(OnExhausted.RETHROW).get(() -> pendingUntil(calls, 3));

		assertThat(status).isEqualTo("DONE");
		assertThat(this.clock.sleeps()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
		assertThat(this.recorder.events).containsExactly("retry 2/3 in PT1S after RejectedResultException",
				"retry 3/3 in PT2S after RejectedResultException", "success_after_retry after 3");
		assertThat(this.breaker.getSuccessCount()).as("the downstream answered each time").isEqualTo(3);
		assertThat(this.breaker.getFailureCount()).isZero();
	}

	@Test
	void exhaustedOnARejectedResultRethrowReturnsTheLastResultAsItIs() throws Throwable {
		assertThat(executor(OnExhausted.RETHROW).get(() -> "PENDING")).isEqualTo("PENDING");
		assertThat(this.recorder.events).endsWith("exhausted after 3");
	}

	@Test
	void exhaustedOnARejectedResultWrapThrowsWithTheRejectionAsCause() {
		Throwable thrown = catchThrowable(() -> executor(OnExhausted.WRAP).get(() -> "PENDING"));

		assertThat(thrown).isInstanceOf(RetryExhaustedException.class)
			.hasMessage("JobClient.status failed after 3 attempts: rejected result: PENDING");
		assertThat(thrown.getCause()).isInstanceOfSatisfying(RejectedResultException.class,
				(rejected) -> assertThat(rejected.getResult()).isEqualTo("PENDING"));
	}

	@Test
	void exhaustedOnARejectedResultTheFallbackReceivesTheRejection() throws Throwable {
		Object answer = executor(OnExhausted.RETHROW).call(null, (context, attempt) -> "PENDING", new Fallback<Object>() {
			@Override
			public boolean handles(Throwable failure) {
				return true;
			}

			@Override
			public Object apply(Object context, Throwable failure) {
				return "fallback after " + ((RejectedResultException) failure).getResult();
			}
		});

		assertThat(answer).isEqualTo("fallback after PENDING");
	}

	@Test
	void aFutureWhoseValueIsRejectedIsRetried() throws Exception {
		AtomicInteger calls = new AtomicInteger();

		CompletableFuture<String> status = executor(OnExhausted.RETHROW).callAsync(calls,
				(count, attempt) -> CompletableFuture.completedFuture(pendingUntil(count, 2)), null);

		assertThat(status.get(1, TimeUnit.SECONDS)).isEqualTo("DONE");
		assertThat(this.clock.sleeps()).containsExactly(Duration.ofSeconds(1));
		assertThat(executor(OnExhausted.RETHROW).callAsync(null,
				(context, attempt) -> CompletableFuture.completedFuture("PENDING"), null).get(1, TimeUnit.SECONDS))
			.as("exhausted, rethrow: the last value").isEqualTo("PENDING");
	}

	@Test
	void aMonoWhoseValueIsRejectedIsResubscribed() {
		AtomicInteger calls = new AtomicInteger();
		Mono<String> status = Mono.fromSupplier(() -> pendingUntil(calls, 3));

		assertThat(ReactiveRetry.mono(executor(OnExhausted.RETHROW), status, null, null).block()).isEqualTo("DONE");
		assertThat(ReactiveRetry.mono(executor(OnExhausted.RETHROW), Mono.just("PENDING"), null, null).block())
			.as("exhausted, rethrow: the last value").isEqualTo("PENDING");
		assertThat(catchThrowable(() -> ReactiveRetry.mono(executor(OnExhausted.WRAP), Mono.just("PENDING"), null, null)
			.block())).isInstanceOf(RetryExhaustedException.class).hasCauseInstanceOf(RejectedResultException.class);
	}

	@Test
	void aPredicateThatThrowsKeepsTheResult() throws Throwable {
		RetryPolicy policy = RetryPolicy.builder("jobs").build();
		RetryExecutor executor = RetryExecutor.builder("JobClient.status", policy)
			.classifier(new FailureClassifier(policy, HttpStatusResolver.NONE))
			.runtime(RetryRuntime.defaults().withSleeper(this.clock))
			.retryOnResult((result) -> {
					throw new IllegalStateException("predicate bug");
				})
			.build();

		assertThat(executor.get(() -> "DONE")).isEqualTo("DONE");
		assertThat(this.clock.sleeps()).isEmpty();
	}

	@Test
	void aPredicateThatThrowsKeepsTheResultOfAFutureAndOfAMono() throws Exception {
		RetryPolicy policy = RetryPolicy.builder("jobs").build();
		RetryExecutor executor = RetryExecutor.builder("JobClient.status", policy)
			.classifier(new FailureClassifier(policy, HttpStatusResolver.NONE))
			.runtime(RetryRuntime.defaults().withSleeper(this.clock).withScheduler(this.clock))
			.retryOnResult((result) -> {
					throw new IllegalStateException("predicate bug");
				})
			.build();

		assertThat(executor.callAsync(null, (context, attempt) -> CompletableFuture.completedFuture("DONE"), null)
			.get(1, TimeUnit.SECONDS)).isEqualTo("DONE");
		assertThat(ReactiveRetry.mono(executor, Mono.just("DONE"), null, null).block(Duration.ofSeconds(1)))
			.isEqualTo("DONE");
		assertThat(this.clock.sleeps()).isEmpty();
	}

	@Test
	void aRejectedResultWhoseToStringThrowsIsStillRetried() throws Throwable {
		Object pending = new Object() {
			@Override
			public String toString() {
				throw new IllegalStateException("failed to lazily initialize a collection: no session");
			}
		};
		RetryPolicy policy = RetryPolicy.builder("jobs").jitter(Jitter.NONE).maxAttempts(3).build();
		RetryExecutor executor = RetryExecutor.builder("JobClient.status", policy)
			.classifier(new FailureClassifier(policy, HttpStatusResolver.NONE))
			.runtime(RetryRuntime.defaults().withSleeper(this.clock)
					.withListeners(List.of(this.recorder)))
			.retryOnResult((value) -> value == pending)
			.build();
		AtomicInteger calls = new AtomicInteger();

		Object answer = executor.get(() -> (calls.incrementAndGet() == 1) ? pending : "DONE");

		assertThat(answer).isEqualTo("DONE");
		assertThat(calls).hasValue(2);
		assertThat(this.recorder.events).containsExactly("retry 2/3 in PT1S after RejectedResultException",
				"success_after_retry after 2");
	}

	@Test
	void aRejectedResultIsNamedInTheMessageOnlyWhenAskedAndByItsClassWhenItCannotSay() {
		Object lazyEntity = new Object() {
			@Override
			public String toString() {
				throw new IllegalStateException("no session");
			}
		};

		assertThat(new RejectedResultException("PENDING")).hasMessage("rejected result: PENDING");
		assertThat(new RejectedResultException(null)).hasMessage("rejected result: null");
		assertThat(new RejectedResultException(lazyEntity).getMessage()).startsWith("rejected result: a ")
			.endsWith(" whose toString() threw java.lang.IllegalStateException");
	}

	@Test
	void aBreakerCountsARejectedResultAsTheAnswerItIs() throws Throwable {
		AtomicInteger calls = new AtomicInteger();

		assertThat(executor(OnExhausted.RETHROW).get(() -> pendingUntil(calls, 3))).isEqualTo("DONE");
		assertThat(executor(OnExhausted.RETHROW).get(() -> "PENDING")).isEqualTo("PENDING");

		// Five rejected results in all, with a failure threshold of 2: the downstream answered each time.
		assertThat(this.breaker.getState()).isEqualTo(dev.retry.breaker.State.CLOSED);
	}

	@Test
	void aRejectedAnswerDoesNotWinAHedgeRaceAnotherRunnerCanStillWin() throws Exception {
		try (TimedCalls calls = new TimedCalls()) {
			RetryExecutor executor = calls.executor(
					TimedCalls.policy().maxAttempts(1).hedgeDelay(Duration.ofMillis(50)).maxHedges(1), calls.runtime(),
					PENDING);
			AtomicInteger runners = new AtomicInteger();
			CompletableFuture<String> slowDone = new CompletableFuture<>();

			CompletableFuture<String> status = executor.callAsync(null, (context, attempt) -> {
				if (runners.incrementAndGet() == 1) {
					return slowDone;
				}
				// The hedge answers PENDING at once; the attempt answers DONE a little later.
				CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS).execute(() -> slowDone.complete("DONE"));
				return CompletableFuture.completedFuture("PENDING");
			}, null);

			assertThat(status.get(2, TimeUnit.SECONDS)).isEqualTo("DONE");
			assertThat(calls.events).containsExactly("hedge lost", "success after 1");
			assertThat(calls.attemptResults).containsExactly("rejected_result", "success");
		}
	}

}
