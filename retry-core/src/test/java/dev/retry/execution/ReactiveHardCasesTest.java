package dev.retry.execution;

import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.backoff.Jitter;
import dev.retry.breaker.CircuitBreaker;
import dev.retry.breaker.CircuitBreakerConfig;
import dev.retry.breaker.State;
import dev.retry.classify.FailureClassifier;
import dev.retry.classify.HttpStatusResolver;
import dev.retry.policy.RetryPolicy;
import dev.retry.time.DaemonScheduler;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/** Reactor calls in the hard cases: partial consumption, disposal, shutdown. */
class ReactiveHardCasesTest {

	private final ManualClock clock = new ManualClock();

	private final RecordingListener recorder = new RecordingListener();

	private CircuitBreaker breaker(CircuitBreakerConfig.Builder config) {
		return new CircuitBreaker(config.build(), this.clock, HttpStatusResolver.NONE, List.of());
	}

	private RetryExecutor executor(RetryPolicy policy, CircuitBreaker breaker, dev.retry.time.Scheduler scheduler) {
		return RetryExecutor.builder("Stock.stream", policy)
			.classifier(new FailureClassifier(policy, HttpStatusResolver.NONE))
			.runtime(RetryRuntime.defaults().withTicker(this.clock).withSleeper(this.clock).withRandom(() -> 0.0)
					.withScheduler(scheduler).withListeners(List.of(this.recorder)))
			.breaker(breaker)
			.build();
	}

	@Test
	void subscribersTakingTheFirstElementAreSuccessesSoSpreadFailuresNeverOpenTheBreaker() {
		CircuitBreaker breaker = breaker(CircuitBreakerConfig.builder("stock").failureThreshold(3));
		Flux<Integer> endless = Flux.range(1, Integer.MAX_VALUE);

		for (int i = 0; i < 2_000; i++) {
			if (i % 700 == 0) {
				ReactiveRetry.guarded(breaker, Flux.<Integer>error(new ConnectException("refused"))).onErrorResume((e) -> Flux.empty())
					.blockLast();
			}
			assertThat(ReactiveRetry.guarded(breaker, endless).next().block()).isEqualTo(1);
		}

		assertThat(breaker.getState()).isEqualTo(State.CLOSED);
		assertThat(breaker.getSuccessCount()).isEqualTo(2_000);
	}

	@Test
	void aHalfOpenBreakerClosesOnATrialThatTookOneElement() {
		CircuitBreaker breaker = breaker(CircuitBreakerConfig.builder("stock").failureThreshold(1)
			.openDuration(Duration.ofSeconds(10)));
		breaker.onFailure(breaker.tryAcquire(), new ConnectException("down"), 0);
		this.clock.advance(Duration.ofSeconds(10));

		assertThat(ReactiveRetry.guarded(breaker, Flux.range(1, 100)).take(1).blockFirst()).isEqualTo(1);

		assertThat(breaker.getState()).isEqualTo(State.CLOSED);
	}

	@Test
	void aRetriedFluxCancelledAfterItsFirstElementIsASuccessForListeners() {
		RetryExecutor executor = executor(RetryPolicy.builder("network").jitter(Jitter.NONE).build(),
				breaker(CircuitBreakerConfig.builder("stock")), this.clock);
		AtomicInteger subscriptions = new AtomicInteger();
		Flux<Integer> source = Flux.defer(() -> (subscriptions.incrementAndGet() == 1)
				? Flux.error(new ConnectException("refused")) : Flux.range(1, 1_000));

		Integer first = ReactiveRetry.flux(executor, source, null, null).blockFirst();

		assertThat(first).isEqualTo(1);
		assertThat(this.recorder.events).containsExactly("retry 2/3 in PT1S after ConnectException",
				"success_after_retry after 2");
	}

	@Test
	void disposingAThousandWaitingSubscriptionsLeavesNothingScheduled() {
		DaemonScheduler scheduler = new DaemonScheduler(2);
		try {
			RetryExecutor executor = executor(RetryPolicy.builder("network").jitter(Jitter.NONE)
				.baseDelay(Duration.ofHours(1)).maxDelay(Duration.ofHours(1)).build(),
					breaker(CircuitBreakerConfig.builder("stock").failureThreshold(1_000_000)), scheduler);
			List<Disposable> waiting = new ArrayList<>();
			for (int i = 0; i < 1_000; i++) {
				waiting.add(ReactiveRetry.mono(executor, Mono.error(new ConnectException("refused")), null, null)
					.subscribe(null, (error) -> {
					}));
			}
			await().atMost(Duration.ofSeconds(5)).until(() -> scheduler.getQueuedTasks() == 1_000);

			waiting.forEach(Disposable::dispose);

			assertThat(scheduler.getQueuedTasks()).isZero();
			assertThat(this.recorder.events.stream().filter((event) -> event.startsWith("cancelled"))).hasSize(1_000);
		}
		finally {
			scheduler.close();
		}
	}

	@Test
	void aSubscriptionWaitingForARetryEndsWithItsLastFailureWhenTheSchedulerCloses() {
		DaemonScheduler scheduler = new DaemonScheduler(1);
		RetryExecutor executor = executor(RetryPolicy.builder("network").jitter(Jitter.NONE)
			.baseDelay(Duration.ofHours(1)).maxDelay(Duration.ofHours(1)).build(),
				breaker(CircuitBreakerConfig.builder("stock")), scheduler);
		List<Throwable> ended = new java.util.concurrent.CopyOnWriteArrayList<>();
		ReactiveRetry.mono(executor, Mono.error(new ConnectException("refused")), null, null)
			.subscribe(null, ended::add);
		await().atMost(Duration.ofSeconds(5)).until(() -> scheduler.getQueuedTasks() == 1);

		scheduler.close();

		assertThat(ended).singleElement().isInstanceOf(ConnectException.class);
		assertThat(this.recorder.events).contains("not_retryable after 1");
	}

	@Test
	void aListenerThrowingAnErrorNeverChangesASubscriptionsOutcome() {
		RetryExecutor executor = RetryExecutor.builder("Stock.get", RetryPolicy.builder("network").jitter(Jitter.NONE)
			.build())
			.runtime(RetryRuntime.defaults().withTicker(this.clock).withScheduler(this.clock)
				.withListeners(List.of(new dev.retry.event.RetryListener() {
					@Override
					public void onRetryScheduled(dev.retry.event.CallTarget target, int nextAttempt, int maxAttempts,
							Duration delay, Throwable failure) {
						throw new AssertionError("listener bug");
					}
				})))
			.build();

		Throwable thrown = catchThrowable(() -> ReactiveRetry
			.mono(executor, Mono.error(new ConnectException("refused")), null, null).block());

		assertThat(reactor.core.Exceptions.unwrap(thrown)).isInstanceOf(ConnectException.class);
	}

}
