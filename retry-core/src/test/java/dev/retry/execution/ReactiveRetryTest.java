package dev.retry.execution;

import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.CircuitBreakerOpenException;
import dev.retry.backoff.Jitter;
import dev.retry.breaker.CircuitBreaker;
import dev.retry.breaker.CircuitBreakerConfig;
import dev.retry.breaker.State;
import dev.retry.classify.FailureClassifier;
import dev.retry.classify.HttpStatusResolver;
import dev.retry.policy.RetryPolicy;
import dev.retry.policy.RetryPolicyBuilder;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Mono and Flux retried by resubscription, waits scheduled on the runtime's scheduler. */
class ReactiveRetryTest {

	private final ManualClock clock = new ManualClock();

	private final RecordingListener recorder = new RecordingListener();

	private final List<String> events = this.recorder.events;

	private final RetryRuntime runtime = RetryRuntime.defaults()
		.withSleeper((nanos) -> {
			throw new AssertionError("a reactive call must not sleep a thread");
		})
		.withTicker(this.clock)
		.withRandom(() -> 0.0)
		.withScheduler(this.clock)
		.withListeners(List.of(this.recorder));

	private static RetryPolicyBuilder network() {
		return RetryPolicy.builder("network").jitter(Jitter.NONE);
	}

	private RetryExecutor executor(RetryPolicyBuilder policy) {
		return RetryExecutor.builder("Prices.fetch", policy.build())
			.runtime(this.runtime)
			.build();
	}

	/** A cold Mono failing until subscription {@code succeedOn}. */
	private static Mono<String> failingUntil(int succeedOn, AtomicInteger subscriptions) {
		return Mono.defer(() -> {
			int n = subscriptions.incrementAndGet();
			return (n < succeedOn) ? Mono.error(new ConnectException("refused #" + n)) : Mono.just("ok after " + n);
		});
	}

	/** What the publisher fails with, as a subscriber receives it (block() would wrap checked exceptions). */
	private static Throwable failureOf(org.reactivestreams.Publisher<?> publisher) {
		return Flux.from(publisher).materialize().filter((signal) -> signal.isOnError()).blockFirst().getThrowable();
	}

	@Test
	void monoIsRetriedByResubscriptionWithBackoff() {
		AtomicInteger subscriptions = new AtomicInteger();

		String result = ReactiveRetry.mono(executor(network()), failingUntil(3, subscriptions), null, null).block();

		assertThat(result).isEqualTo("ok after 3");
		assertThat(this.clock.sleeps()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
		assertThat(this.events).containsExactly("retry 2/3 in PT1S after ConnectException",
				"retry 3/3 in PT2S after ConnectException", "success_after_retry after 3");
	}

	@Test
	void exhaustedMonoFailsWithTheLastExceptionItself() {
		AtomicInteger subscriptions = new AtomicInteger();

		Throwable failure = failureOf(ReactiveRetry.mono(executor(network()), failingUntil(10, subscriptions), null, null));

		assertThat(failure).isInstanceOf(ConnectException.class).hasMessage("refused #3");
		assertThat(subscriptions).hasValue(3);
		assertThat(this.events).last().isEqualTo("exhausted after 3");
	}

	@Test
	void permanentFailureIsNotResubscribed() {
		AtomicInteger subscriptions = new AtomicInteger();
		Mono<String> invalid = Mono.defer(() -> {
			subscriptions.incrementAndGet();
			return Mono.error(new IllegalArgumentException("bad sku"));
		});

		Throwable failure = failureOf(ReactiveRetry.mono(executor(network()), invalid, null, null));

		assertThat(failure).isInstanceOf(IllegalArgumentException.class);
		assertThat(subscriptions).hasValue(1);
		assertThat(this.events).containsExactly("not_retryable after 1");
	}

	@Test
	void fluxIsResubscribedFromItsStart() {
		AtomicInteger subscriptions = new AtomicInteger();
		Flux<Integer> pages = Flux.defer(() -> (subscriptions.incrementAndGet() == 1)
				? Flux.just(1, 2).concatWith(Flux.error(new ConnectException("connection reset")))
				: Flux.just(1, 2, 3));

		List<Integer> received = ReactiveRetry.flux(executor(network()), pages, null, null).collectList().block();

		assertThat(received).containsExactly(1, 2, 1, 2, 3);
		assertThat(subscriptions).hasValue(2);
		assertThat(this.events).containsExactly("retry 2/3 in PT1S after ConnectException", "success_after_retry after 2");
	}

	@Test
	void eachSubscriptionIsACallOfItsOwn() {
		AtomicInteger subscriptions = new AtomicInteger();
		Mono<String> retried = ReactiveRetry.mono(executor(network()), failingUntil(2, subscriptions), null, null);

		assertThat(retried.block()).isEqualTo("ok after 2");
		assertThat(retried.block()).isEqualTo("ok after 3");
		assertThat(this.events).containsExactly("retry 2/3 in PT1S after ConnectException",
				"success_after_retry after 2", "success after 1");
	}

	@Test
	void retryContextIsInTheReactorContext() {
		Mono<String> source = Mono.deferContextual((view) -> {
			RetryContext retry = view.get(RetryContext.class);
			return (retry.getAttempt() < 3) ? Mono.error(new ConnectException("refused"))
					: Mono.just("attempt " + retry.getAttempt() + "/" + retry.getMaxAttempts());
		});

		assertThat(ReactiveRetry.mono(executor(network()), source, null, null).block()).isEqualTo("attempt 3/3");
	}

	@Test
	void breakerIsTakenPerSubscriptionAndAnOpenOneRejectsWithoutSubscribing() {
		CircuitBreaker breaker = new CircuitBreaker(CircuitBreakerConfig.builder("prices").failureThreshold(3).build(),
				this.clock, HttpStatusResolver.NONE, List.of());
		RetryExecutor executor = RetryExecutor.builder("Prices.fetch", network().build())
			.classifier(new FailureClassifier(network().build(), HttpStatusResolver.NONE))
			.runtime(this.runtime)
			.breaker(breaker)
			.build();
		AtomicInteger subscriptions = new AtomicInteger();
		Mono<String> down = failingUntil(100, subscriptions);

		Throwable first = failureOf(ReactiveRetry.mono(executor, down, null, null));
		Throwable second = failureOf(ReactiveRetry.mono(executor, down, null, null));
		Throwable breakerOnly = failureOf(ReactiveRetry.guarded(breaker, Flux.just(1)));

		assertThat(first).isInstanceOf(ConnectException.class);
		assertThat(breaker.getState()).isEqualTo(State.OPEN);
		assertThat(breaker.getFailureCount()).as("one failure per subscription").isEqualTo(3);
		assertThat(second).isInstanceOf(CircuitBreakerOpenException.class);
		assertThat(breakerOnly).isInstanceOf(CircuitBreakerOpenException.class);
		assertThat(subscriptions).hasValue(3);
		assertThat(this.events).containsSubsequence("exhausted after 3", "rejected after 0");
	}

	@Test
	void cancelledTrialGivesItsPermitBack() throws Throwable {
		CircuitBreaker breaker = new CircuitBreaker(
				CircuitBreakerConfig.builder("prices").failureThreshold(1).halfOpenCalls(1).build(), this.clock,
				HttpStatusResolver.NONE, List.of());
		breaker.execute(null, (c, n) -> "ok", 1);
		catchThrowable(() -> breaker.execute(null, (c, n) -> {
			throw new ConnectException("refused");
		}, 1));
		this.clock.advance(breaker.getConfig().getOpenDuration());

		Disposable hanging = ReactiveRetry.guarded(breaker, Mono.never()).subscribe();
		hanging.dispose();

		assertThat(ReactiveRetry.guarded(breaker, Mono.just("trial")).block()).as("the permit came back")
			.isEqualTo("trial");
		assertThat(breaker.getState()).isEqualTo(State.CLOSED);
	}

	@Test
	void cancellingDuringAWaitStopsFurtherSubscriptions() {
		AsyncRetryTest.QueuedScheduler scheduler = new AsyncRetryTest.QueuedScheduler();
		RetryExecutor executor = RetryExecutor.builder("Prices.fetch", network().build())
			.runtime(this.runtime.withScheduler(scheduler))
			.build();
		AtomicInteger subscriptions = new AtomicInteger();

		Disposable subscription = ReactiveRetry.mono(executor, failingUntil(10, subscriptions), null, null).subscribe(
				(value) -> {
				}, (error) -> {
				});
		assertThat(scheduler.tasks).hasSize(1);
		subscription.dispose();

		assertThat(scheduler.tasks.get(0).isCancelled()).isTrue();
		scheduler.runDue();
		assertThat(subscriptions).hasValue(1);
	}

	@Test
	void fallbackAnswersWithAPublisherOfItsOwn() {
		Fallback<String> fallback = new Fallback<>() {

			@Override
			public boolean handles(Throwable failure) {
				return true;
			}

			@Override
			public Object apply(String sku, Throwable failure) {
				return Mono.just("list price of " + sku + " after " + failure.getMessage());
			}

		};

		String price = ReactiveRetry.mono(executor(network()), failingUntil(10, new AtomicInteger()), "A-1", fallback)
			.block();

		assertThat(price).isEqualTo("list price of A-1 after refused #3");
	}

}
