package dev.retry.breaker;

import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.retry.CircuitBreakerOpenException;
import dev.retry.classify.HttpStatusResolver;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * {@link CircuitBreaker#executeAsync}: an asynchronous call through a breaker alone, however it
 * ends (its stage completing, throwing before it had one, the caller giving up).
 */
class ExecuteAsyncTest {

	private final ManualClock clock = new ManualClock();

	private final CircuitBreaker breaker = new CircuitBreaker(CircuitBreakerConfig.builder("inventory")
		.failureThreshold(1)
		.openDuration(Duration.ofMinutes(1))
		.slowCallDuration(Duration.ofSeconds(2))
		.build(), this.clock, HttpStatusResolver.NONE, List.of());

	@Test
	void recordsTheOutcomeOfTheStageWhenItCompletes() {
		CompletableFuture<String> call = new CompletableFuture<>();

		CompletableFuture<String> outcome = this.breaker.executeAsync(call, (c, attempt) -> c, 1);
		assertThat(this.breaker.getSuccessCount()).isZero();
		call.complete("in stock");

		assertThat(outcome).isCompletedWithValue("in stock");
		assertThat(this.breaker.getSuccessCount()).isEqualTo(1);
	}

	@Test
	void whatRunsWhenTheCallEndsSeesItsOutcomeCounted() {
		// A retry started as the attempt's future fails (no backoff) must find the breaker the failure opened.
		CompletableFuture<String> failing = new CompletableFuture<>();
		CompletableFuture<String> succeeding = new CompletableFuture<>();
		List<Object> seen = new java.util.concurrent.CopyOnWriteArrayList<>();

		this.breaker.executeAsync(succeeding, (c, attempt) -> c, 1)
			.whenComplete((value, error) -> seen.add(this.breaker.getSuccessCount()));
		succeeding.complete("in stock");
		this.breaker.executeAsync(failing, (c, attempt) -> c, 1)
			.whenComplete((value, error) -> seen.add(this.breaker.getState()));
		failing.completeExceptionally(new ConnectException("refused"));

		assertThat(seen).containsExactly(1L, State.OPEN);
	}

	@Test
	void aStageCompletingSlowlyCountsAsSlow() {
		open();
		this.clock.advance(Duration.ofMinutes(2));
		CompletableFuture<String> call = new CompletableFuture<>();

		this.breaker.executeAsync(call, (c, attempt) -> c, 1);
		this.clock.advance(Duration.ofSeconds(3));
		call.complete("late");

		assertThat(this.breaker.getState()).as("a slow trial opens it again").isEqualTo(State.OPEN);
	}

	@Test
	void aCallThatThrowsBeforeItHasAStageFailsTheFutureAndCountsAsAFailure() {
		CompletableFuture<Object> outcome = this.breaker.executeAsync(null, (c, attempt) -> {
			throw new ConnectException("refused");
		}, 1);

		assertThat(catchThrowable(outcome::join)).hasCauseInstanceOf(ConnectException.class);
		assertThat(this.breaker.getState()).isEqualTo(State.OPEN);
	}

	@Test
	void aCallReturningNoStageFailsTheFutureSayingSo() {
		CompletableFuture<Object> outcome = this.breaker
			.executeAsync(null, (Object c, int attempt) -> (CompletionStage<Object>) null, 1);

		assertThat(catchThrowable(outcome::join)).hasCauseInstanceOf(NullPointerException.class)
			.hasMessageContaining("returned null instead of a CompletionStage");
	}

	@Test
	void anOpenBreakerRejectsTheCallWithoutMakingIt() {
		open();

		CompletableFuture<Object> outcome = this.breaker.executeAsync(null, (c, attempt) -> {
			throw new AssertionError("not made");
		}, 1);

		assertThat(catchThrowable(outcome::join)).hasCauseInstanceOf(CircuitBreakerOpenException.class);
		assertThat(this.breaker.getRejectedCount()).isEqualTo(1);
	}

	@Test
	void aCallerGivingUpOnATrialCancelsTheCallAndGivesThePermitBack() {
		open();
		this.clock.advance(Duration.ofMinutes(2));
		CompletableFuture<String> call = new CompletableFuture<>();
		CompletableFuture<String> outcome = this.breaker.executeAsync(call, (c, attempt) -> c, 1);
		assertThat(this.breaker.tryAcquire()).as("the one trial is running").isNull();

		outcome.cancel(true);

		assertThat(call).isCancelled();
		assertThat(this.breaker.getState()).isEqualTo(State.HALF_OPEN);
		assertThat(this.breaker.tryAcquire()).as("the trial permit came back").isNotNull();
	}

	@Test
	void aTrialFailingAsItsCallerGivesUpEitherCountsOrGivesThePermitBackNeverNeither() throws Exception {
		java.util.concurrent.ExecutorService racers = java.util.concurrent.Executors.newFixedThreadPool(2);
		try {
			for (int round = 0; round < 500; round++) {
				CircuitBreaker breaker = new CircuitBreaker(CircuitBreakerConfig.builder("inventory")
					.failureThreshold(1)
					.openDuration(Duration.ofMinutes(1))
					.build(), this.clock, HttpStatusResolver.NONE, List.of());
				breaker.onFailure(breaker.tryAcquire(), new ConnectException("down"), 0);
				this.clock.advance(Duration.ofMinutes(2));
				CompletableFuture<String> call = new CompletableFuture<>();
				CompletableFuture<String> outcome = breaker.executeAsync(call, (c, attempt) -> c, 1);
				java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
				java.util.concurrent.Future<?> failing = racers.submit(() -> {
					go.await();
					return call.completeExceptionally(new ConnectException("refused"));
				});
				java.util.concurrent.Future<?> givingUp = racers.submit(() -> {
					go.await();
					return outcome.cancel(true);
				});
				go.countDown();
				failing.get();
				givingUp.get();

				boolean counted = breaker.getState() == State.OPEN;
				boolean givenBack = !counted && breaker.tryAcquire() != null;
				assertThat(counted || givenBack).as("round %d: the trial counted or its permit came back", round)
					.isTrue();
			}
		}
		finally {
			racers.shutdownNow();
		}
	}

	private void open() {
		this.breaker.onFailure(this.breaker.tryAcquire(), new ConnectException("down"), 0);
		assertThat(this.breaker.getState()).isEqualTo(State.OPEN);
	}

}
