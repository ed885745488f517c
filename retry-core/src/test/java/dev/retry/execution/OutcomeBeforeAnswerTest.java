package dev.retry.execution;

import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.backoff.Jitter;
import dev.retry.breaker.CircuitBreaker;
import dev.retry.breaker.CircuitBreakerConfig;
import dev.retry.breaker.State;
import dev.retry.classify.HttpStatusResolver;
import dev.retry.event.CallObserver;
import dev.retry.event.CallTarget;
import dev.retry.event.Outcome;
import dev.retry.event.RetryListener;
import dev.retry.policy.RetryPolicy;
import dev.retry.policy.RetryPolicyBuilder;
import dev.retry.time.ManualClock;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a call ended is recorded (the breaker's count, the listeners and observer told, the retry
 * context ended) before its caller hears the answer: what the caller does on hearing it (chain
 * the next call through the same breaker, read a meter) finds the state the answer made. Each
 * test reads the state at the very moment the caller hears, from a stage or operator the caller
 * registered, so none depends on timing.
 */
class OutcomeBeforeAnswerTest {

	private final ManualClock clock = new ManualClock();

	private final RecordingListener recorder = new RecordingListener();

	private final RetryRuntime runtime = RetryRuntime.defaults()
		.withSleeper(this.clock)
		.withTicker(this.clock)
		.withRandom(() -> 0.0)
		.withScheduler(this.clock)
		.withListeners(List.of(this.recorder));

	private static RetryPolicyBuilder network() {
		return RetryPolicy.builder("network").jitter(Jitter.NONE);
	}

	/** A breaker half-open with one trial call to let through. */
	private CircuitBreaker halfOpenWithOneTrial() {
		CircuitBreaker breaker = new CircuitBreaker(CircuitBreakerConfig.builder("prices")
			.failureThreshold(1)
			.halfOpenCalls(1)
			.openDuration(Duration.ofMinutes(1))
			.build(), this.clock, HttpStatusResolver.NONE, List.of());
		breaker.onFailure(breaker.tryAcquire(), new ConnectException("down"), 0);
		this.clock.advance(Duration.ofMinutes(2));
		return breaker;
	}

	@Test
	void aMonoTrialCallClosesTheBreakerBeforeItsSubscriberChainsTheNextCall() {
		CircuitBreaker breaker = halfOpenWithOneTrial();

		// flatMap subscribes the next call as the trial's value arrives, before any completion.
		String next = ReactiveRetry.guarded(breaker, Mono.just("trial"))
			.flatMap((trial) -> ReactiveRetry.guarded(breaker, Mono.just("after " + trial)))
			.block(Duration.ofSeconds(2));

		assertThat(next).isEqualTo("after trial");
		assertThat(breaker.getState()).isEqualTo(State.CLOSED);
		assertThat(breaker.getSuccessCount()).isEqualTo(2);
	}

	@Test
	void aRetriedMonoClosesTheBreakerBeforeItsSubscriberChainsTheNextCall() {
		CircuitBreaker breaker = halfOpenWithOneTrial();
		RetryExecutor executor = RetryExecutor.builder("Prices.fetch", network().build())
			.runtime(this.runtime)
			.breaker(breaker)
			.build();

		String next = ReactiveRetry.mono(executor, Mono.just("trial"), null, null)
			.flatMap((trial) -> ReactiveRetry.mono(executor, Mono.just("after " + trial), null, null))
			.block(Duration.ofSeconds(2));

		assertThat(next).isEqualTo("after trial");
		assertThat(this.recorder.events).containsExactly("success after 1", "success after 1");
	}

	@Test
	void aRetriedMonoTellsItsListenersAndObserverBeforeItsSubscriberHasTheValue() {
		try (TimedCalls calls = new TimedCalls()) {
			AtomicInteger subscriptions = new AtomicInteger();
			Mono<String> source = Mono.defer(() -> (subscriptions.incrementAndGet() == 1)
					? Mono.error(new ConnectException("refused")) : Mono.just("ok"));

			// What a meter or the retryevents endpoint shows when the subscriber has the value.
			List<String> toldWhenAnswered = ReactiveRetry.mono(calls.executor(TimedCalls.policy()), source, null, null)
				.map((value) -> List.copyOf(calls.events))
				.block(Duration.ofSeconds(2));
			List<String> attemptsWhenAnswered = List.copyOf(calls.attemptResults);

			assertThat(toldWhenAnswered).containsExactly("success_after_retry after 2");
			assertThat(attemptsWhenAnswered).containsExactly("failure", "success");
		}
	}

	@Test
	void aRetriedMonoHasEndedItsRetryContextWhenItsSubscriberHasTheValue() {
		RetryExecutor executor = RetryExecutor.builder("Prices.fetch", network().build()).runtime(this.runtime).build();
		RetryContext[] context = new RetryContext[1];
		Mono<String> source = Mono.deferContextual((view) -> {
			context[0] = view.get(RetryContext.class);
			return Mono.just("ok");
		});

		Integer attemptWhenAnswered = ReactiveRetry.mono(executor, source, null, null)
			.map((value) -> context[0].getAttempt())
			.block(Duration.ofSeconds(2));

		assertThat(attemptWhenAnswered).as("0: an ended context").isZero();
	}

	@Test
	void aFluxTellsItsOutcomeBeforeItsSubscriberHearsItComplete() {
		RetryExecutor executor = RetryExecutor.builder("Prices.fetch", network().build()).runtime(this.runtime).build();
		List<String> toldWhenCompleted = new java.util.concurrent.CopyOnWriteArrayList<>();

		List<Integer> received = ReactiveRetry.flux(executor, Flux.just(1, 2, 3), null, null)
			.doOnComplete(() -> toldWhenCompleted.addAll(this.recorder.events))
			.collectList()
			.block(Duration.ofSeconds(2));

		assertThat(received).containsExactly(1, 2, 3);
		assertThat(toldWhenCompleted).containsExactly("success after 1");
	}

	@Test
	void aMonoHedgeStillStartingWhenTheAttemptAnswersIsReportedBeforeTheSubscriberHasTheValue() throws Exception {
		try (TimedCalls calls = new TimedCalls()) {
			CountDownLatch hedgeStarting = new CountDownLatch(1);
			CountDownLatch answered = new CountDownLatch(1);
			AtomicInteger runs = new AtomicInteger();
			// Holds the hedge on the watchdog's thread as it starts, after it was reserved (and paid for).
			CallObserver holdingTheHedge = new CallObserver() {
				@Override
				public Call start(CallTarget target, @Nullable Object parent) {
					return new HoldingCall(calls.observer.start(target, parent), () -> {
						if (runs.incrementAndGet() == 2) {
							hedgeStarting.countDown();
							await(answered);
						}
					});
				}
			};
			RetryExecutor executor = calls.executor(
					TimedCalls.policy().maxAttempts(1).hedgeDelay(Duration.ofMillis(20)).maxHedges(1),
					calls.runtime().withObserver(holdingTheHedge), null);
			CompletableFuture<String> attempt = new CompletableFuture<>();
			AtomicInteger subscriptions = new AtomicInteger();
			Mono<String> source = Mono
				.defer(() -> (subscriptions.incrementAndGet() == 1) ? Mono.fromFuture(attempt) : Mono.never());

			CompletableFuture<List<String>> toldWhenAnswered = ReactiveRetry.mono(executor, source, null, null)
				.map((value) -> List.copyOf(calls.events))
				.toFuture();
			assertThat(hedgeStarting.await(2, TimeUnit.SECONDS)).isTrue();
			attempt.complete("from the attempt");
			answered.countDown();

			assertThat(toldWhenAnswered.get(2, TimeUnit.SECONDS)).containsExactly("hedge lost", "success after 1");
		}
	}

	private static void await(CountDownLatch latch) {
		try {
			latch.await(2, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Test
	void manyCallersGivingUpAsTheirCallsAnswerHearOfOneOutcomeEach() throws Exception {
		RetryExecutor executor = RetryExecutor.builder("Prices.fetch", network().build()).runtime(this.runtime).build();
		int count = 2000;
		List<CompletableFuture<String>> attempts = new java.util.ArrayList<>();
		List<CompletableFuture<String>> calls = new java.util.ArrayList<>();
		for (int i = 0; i < count; i++) {
			CompletableFuture<String> attempt = new CompletableFuture<>();
			attempts.add(attempt);
			calls.add(executor.callAsync(null, (context, number) -> attempt, null));
		}
		java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
		CountDownLatch go = new CountDownLatch(1);
		try {
			for (int i = 0; i < count; i++) {
				CompletableFuture<String> attempt = attempts.get(i);
				CompletableFuture<String> call = calls.get(i);
				pool.execute(() -> {
					await(go);
					attempt.complete("ok");
				});
				pool.execute(() -> {
					await(go);
					call.cancel(true);
				});
			}
			go.countDown();
		}
		finally {
			pool.shutdown();
			assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
		}

		assertThat(this.recorder.events).as("one outcome per call").hasSize(count);
		long answered = calls.stream().filter((call) -> !call.isCancelled()).count();
		assertThat(this.recorder.events.stream().filter("success after 1"::equals).count())
			.as("every caller that had the answer heard of a success").isGreaterThanOrEqualTo(answered);
	}

	/** A call observed by {@code delegate}, running {@code onAttempt} as each run of an attempt starts. */
	private record HoldingCall(CallObserver.Call delegate, Runnable onAttempt) implements CallObserver.Call {

		@Override
		public CallObserver.Scope open() {
			return this.delegate.open();
		}

		@Override
		public CallObserver.ObservedAttempt attempt(int number) {
			this.onAttempt.run();
			return this.delegate.attempt(number);
		}

		@Override
		public void waiting(int nextAttempt, Duration delay, Throwable failure, String reason) {
			this.delegate.waiting(nextAttempt, delay, failure, reason);
		}

		@Override
		public void end(Outcome outcome, int attempts, @Nullable Throwable failure) {
			this.delegate.end(outcome, attempts, failure);
		}

		@Override
		public void cancelled(int attempts) {
			this.delegate.cancelled(attempts);
		}

	}

	@Test
	void theCallerOfAnAsyncCallHearsTheAnswerOutsideTheCall() {
		RetryExecutor executor = RetryExecutor.builder("Prices.fetch", network().build()).runtime(this.runtime).build();
		CompletableFuture<String> attempt = new CompletableFuture<>();

		CompletableFuture<String> call = executor.callAsync(null, (context, number) -> attempt, null);
		// Runs on the thread that completes the attempt, as the caller hears the answer.
		CompletableFuture<Optional<RetryContext>> currentWhenAnswered = call.thenApply((value) -> RetryContext.find());
		attempt.complete("ok");

		assertThat(currentWhenAnswered.join()).as("no retried call current in the caller's own stage").isEmpty();
	}

	@Test
	void theCallerOfAnAsyncCallRetriedAtOnceHearsTheAnswerOutsideTheCall() {
		RetryExecutor executor = RetryExecutor.builder("Prices.fetch", network().build()).runtime(this.runtime).build();
		CompletableFuture<String> first = new CompletableFuture<>();

		// The manual clock runs the retry at once, on the thread that failed the first attempt.
		CompletableFuture<String> call = executor.callAsync(null,
				(context, number) -> (number == 1) ? first : CompletableFuture.completedFuture("ok"), null);
		CompletableFuture<Optional<RetryContext>> currentWhenAnswered = call.thenApply((value) -> RetryContext.find());
		first.completeExceptionally(new ConnectException("refused"));

		assertThat(currentWhenAnswered.join()).isEmpty();
		assertThat(this.recorder.events).containsExactly("retry 2/3 in PT1S after ConnectException",
				"success_after_retry after 2");
	}

	@Test
	void theCallerOfAFailedAsyncCallHearsTheFailureOutsideTheCall() {
		RetryExecutor executor = RetryExecutor.builder("Prices.fetch", network().maxAttempts(1).build())
			.runtime(this.runtime)
			.build();
		CompletableFuture<String> attempt = new CompletableFuture<>();

		CompletableFuture<String> call = executor.callAsync(null, (context, number) -> attempt, null);
		CompletableFuture<Optional<RetryContext>> currentWhenFailed = call
			.handle((value, failure) -> RetryContext.find());
		attempt.completeExceptionally(new ConnectException("refused"));

		assertThat(currentWhenFailed.join()).isEmpty();
		assertThat(this.recorder.events).containsExactly("exhausted after 1");
	}

	@Test
	void aCallerGivingUpWhileTheOutcomeIsToldIsNotAlsoToldAsCancelled() throws Exception {
		CountDownLatch telling = new CountDownLatch(1);
		CountDownLatch gaveUp = new CountDownLatch(1);
		RetryListener slowListener = new RetryListener() {
			@Override
			public boolean observesFirstAttemptSuccess() {
				return true;
			}

			@Override
			public void onCompleted(CallTarget target, Outcome outcome, int attempts, @Nullable Throwable failure) {
				telling.countDown();
				try {
					gaveUp.await(2, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
		};
		RetryExecutor executor = RetryExecutor.builder("Prices.fetch", network().build())
			.runtime(this.runtime.withListeners(List.of(slowListener, this.recorder)))
			.build();
		CompletableFuture<String> attempt = new CompletableFuture<>();
		CompletableFuture<String> call = executor.callAsync(null, (context, number) -> attempt, null);

		Thread answering = new Thread(() -> attempt.complete("ok"));
		answering.start();
		assertThat(telling.await(2, TimeUnit.SECONDS)).isTrue();
		// The caller gives up while the listeners are being told of the success.
		call.cancel(true);
		gaveUp.countDown();
		answering.join(2000);

		assertThat(this.recorder.events).as("one outcome per call").containsExactly("success after 1");
	}

}
