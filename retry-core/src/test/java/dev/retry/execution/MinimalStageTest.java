package dev.retry.execution;

import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.AttemptTimeoutException;
import dev.retry.breaker.CircuitBreaker;
import dev.retry.breaker.CircuitBreakerConfig;
import dev.retry.breaker.State;
import dev.retry.classify.FailureClassifier;
import dev.retry.classify.HttpStatusResolver;
import dev.retry.policy.RetryPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Methods returning a stage that is not a plain {@code CompletableFuture}: a minimal stage
 * ({@code completedStage}, {@code failedStage}, {@code minimalCompletionStage()}) throws on
 * {@code isDone()}, {@code get()} and {@code cancel()}. Every stage of a call (timeout, hedge,
 * breaker, the caller's cancel) must work with it as with a plain future.
 */
class MinimalStageTest {

	private final TimedCalls calls = new TimedCalls();

	@AfterEach
	void close() {
		this.calls.close();
	}

	@Test
	void aCompletedStageIsTheAnswerUnderAnAttemptTimeout() throws Exception {
		RetryExecutor executor = this.calls.executor(TimedCalls.policy().attemptTimeout(Duration.ofSeconds(1)));

		CompletableFuture<String>[] call = new CompletableFuture[1];
		assertThatCode(() -> call[0] = executor.callAsync(null,
				(context, attempt) -> CompletableFuture.completedStage("cached"), null))
			.as("the proxied method must return a future, not throw")
			.doesNotThrowAnyException();
		assertThat(call[0].get(2, TimeUnit.SECONDS)).isEqualTo("cached");
	}

	@Test
	void aMinimalStageThatNeverAnswersIsTimedOut() {
		RetryExecutor executor = this.calls
			.executor(TimedCalls.policy().maxAttempts(1).attemptTimeout(Duration.ofMillis(100)));

		Throwable thrown = catchThrowable(() -> executor
			.callAsync(null, (context, attempt) -> new CompletableFuture<String>().minimalCompletionStage(), null)
			.get(2, TimeUnit.SECONDS));

		assertThat(thrown).hasCauseInstanceOf(AttemptTimeoutException.class);
	}

	@Test
	void aHedgeThatWinsAgainstASlowMinimalStageAnswersTheCall() {
		RetryExecutor executor = this.calls.executor(TimedCalls.policy().hedgeDelay(Duration.ofMillis(50)).maxHedges(1));
		AtomicInteger runners = new AtomicInteger();

		CompletableFuture<String> call = executor.callAsync(null,
				(context, attempt) -> (runners.incrementAndGet() == 1)
						? new CompletableFuture<String>().minimalCompletionStage()
						: CompletableFuture.completedFuture("from the hedge"),
				null);

		Throwable thrown = catchThrowable(() -> assertThat(call.get(2, TimeUnit.SECONDS)).isEqualTo("from the hedge"));
		assertThat(thrown).as("the call ends (no hang) once the hedge answered").isNull();
		assertThat(this.calls.events).containsExactly("hedge won", "success after 1");
	}

	@Test
	void cancellingACallWhoseAttemptIsAMinimalStageEndsIt() {
		RetryExecutor executor = this.calls.executor(TimedCalls.policy());
		CompletionStage<String> pending = new CompletableFuture<String>().minimalCompletionStage();

		CompletableFuture<String> call = executor.callAsync(null, (context, attempt) -> pending, null);

		assertThatCode(() -> call.cancel(true)).doesNotThrowAnyException();
		assertThat(this.calls.events).containsExactly("cancelled after 1");
	}

	@Test
	void aFailedStageIsRetriedAndTheBreakerCountsEachAttempt() throws Exception {
		CircuitBreaker breaker = new CircuitBreaker(CircuitBreakerConfig.builder("inventory").failureThreshold(5).build(),
				this.calls.clock, HttpStatusResolver.NONE, List.of());
		RetryPolicy policy = TimedCalls.policy().maxAttempts(3).attemptTimeout(Duration.ofSeconds(1)).build();
		RetryExecutor executor = RetryExecutor.builder("Stock.fetch", policy)
			.classifier(new FailureClassifier(policy, HttpStatusResolver.NONE))
			.runtime(this.calls.runtime())
			.breaker(breaker)
			.build();
		AtomicInteger attempts = new AtomicInteger();

		CompletableFuture<String> call = executor.callAsync(null,
				(context, attempt) -> (attempts.incrementAndGet() < 3)
						? CompletableFuture.failedStage(new ConnectException("refused"))
						: CompletableFuture.completedStage("in stock"),
				null);

		assertThat(call.get(2, TimeUnit.SECONDS)).isEqualTo("in stock");
		assertThat(attempts).hasValue(3);
		assertThat(breaker.getState()).isEqualTo(State.CLOSED);
		assertThat(this.calls.attemptResults).containsExactly("failure", "failure", "success");
	}

	@Test
	void aFallbackAnsweringWithAMinimalStageCanBeCancelled() {
		RetryExecutor executor = this.calls.executor(TimedCalls.policy().maxAttempts(1));
		CompletionStage<Object> never = new CompletableFuture<Object>().minimalCompletionStage();
		Fallback<Object> fallback = new Fallback<>() {
			@Override
			public boolean handles(Throwable failure) {
				return true;
			}

			@Override
			public Object apply(Object context, Throwable failure) {
				return never;
			}
		};

		CompletableFuture<Object> call = executor.callAsync(null,
				(context, attempt) -> CompletableFuture.failedStage(new ConnectException("refused")), fallback);

		assertThat(call).isNotDone();
		assertThatCode(() -> call.cancel(true)).doesNotThrowAnyException();
		assertThat(call).isCancelled();
		assertThat(this.calls.events).containsExactly("exhausted after 1", "cancelled after 1");
	}

	@Test
	void aMinimalStageReturnedByEveryRunnerOfAHedgedTimedCallEndsIt() throws Exception {
		RetryExecutor executor = this.calls.executor(TimedCalls.policy().maxAttempts(2)
			.attemptTimeout(Duration.ofMillis(150))
			.hedgeDelay(Duration.ofMillis(30))
			.maxHedges(2));
		AtomicInteger runners = new AtomicInteger();

		CompletableFuture<String> call = executor.callAsync(null, (context, attempt) -> {
			int runner = runners.incrementAndGet();
			// Attempt 1 and its two hedges never answer; attempt 2's first runner does.
			return (runner <= 3) ? new CompletableFuture<String>().minimalCompletionStage()
					: CompletableFuture.completedStage("second attempt");
		}, null);

		assertThat(call.get(3, TimeUnit.SECONDS)).isEqualTo("second attempt");
		assertThat(runners).hasValue(4);
		assertThat(this.calls.attemptResults).containsExactlyInAnyOrder("timeout", "timeout", "timeout", "success");
		assertThat(this.calls.events).containsExactly("hedge lost", "hedge lost", "success_after_retry after 2");
	}

	@Test
	void manyCallersCancellingMinimalStagesConcurrentlyEachEndOnce() throws Exception {
		RetryExecutor executor = this.calls.executor(TimedCalls.policy().hedgeDelay(Duration.ofMillis(1)).maxHedges(1));
		int count = 400;
		List<CompletableFuture<String>> started = new java.util.ArrayList<>();
		for (int i = 0; i < count; i++) {
			started.add(executor.callAsync(null,
					(context, attempt) -> new CompletableFuture<String>().minimalCompletionStage(), null));
		}
		java.util.concurrent.ExecutorService cancellers = java.util.concurrent.Executors.newFixedThreadPool(8);
		try {
			List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
			for (CompletableFuture<String> call : started) {
				done.add(cancellers.submit(() -> call.cancel(true)));
			}
			for (java.util.concurrent.Future<?> cancelled : done) {
				cancelled.get(5, TimeUnit.SECONDS);
			}
		}
		finally {
			cancellers.shutdownNow();
		}

		assertThat(started).allMatch(CompletableFuture::isCancelled);
		assertThat(this.calls.events.stream().filter((event) -> event.startsWith("cancelled"))).hasSize(count);
	}


	@Test
	void aCallerCancellingATimedMinimalStageEndsItOnceAndItsTimerNeverFiresAfter() {
		RetryExecutor executor = this.calls
			.executor(TimedCalls.policy().maxAttempts(2).attemptTimeout(Duration.ofMillis(50)));
		AtomicInteger attempts = new AtomicInteger();

		CompletableFuture<String> call = executor.callAsync(null, (context, attempt) -> {
			attempts.incrementAndGet();
			return new CompletableFuture<String>().minimalCompletionStage();
		}, null);
		assertThatCode(() -> call.cancel(true)).doesNotThrowAnyException();

		// Past the attempt timeout: the cancelled attempt is neither timed out nor retried.
		org.awaitility.Awaitility.await()
			.pollDelay(Duration.ofMillis(150))
			.atMost(Duration.ofSeconds(2))
			.untilAsserted(() -> assertThat(attempts).hasValue(1));
		assertThat(call).isCancelled();
		assertThat(this.calls.events).containsExactly("cancelled after 1");
		assertThat(this.calls.attemptResults).containsExactly("cancelled");
	}

	@Test
	void aMinimalStageTimedOutAsTheWatchdogClosesEndsTheCall() {
		RetryExecutor executor = this.calls
			.executor(TimedCalls.policy().maxAttempts(1).attemptTimeout(Duration.ofMillis(200)));

		CompletableFuture<String> call = executor.callAsync(null,
				(context, attempt) -> new CompletableFuture<String>().minimalCompletionStage(), null);
		this.calls.watchdog.close();

		assertThat(catchThrowable(() -> call.get(3, TimeUnit.SECONDS))).hasCauseInstanceOf(AttemptTimeoutException.class);
		assertThat(this.calls.attemptResults).containsExactly("timeout");
		assertThat(this.calls.events).containsExactly("exhausted after 1");
	}

}
