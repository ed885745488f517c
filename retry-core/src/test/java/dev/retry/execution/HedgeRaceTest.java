package dev.retry.execution;

import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.event.CallTarget;
import dev.retry.event.RetryListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * An attempt and its hedges racing, for futures and for Reactor: each hedge runs with its call's
 * {@link RetryContext} and is reported (won or lost) exactly once; an answer, even an empty one,
 * ends the race; a failure waits for the runners still going, and fails the attempt at once when
 * none is.
 */
class HedgeRaceTest {

	private final TimedCalls calls = new TimedCalls();

	@AfterEach
	void close() {
		this.calls.close();
	}

	@Test
	void aHedgeRunsWithTheRetryContextOfItsCall() throws Exception {
		RetryExecutor executor = this.calls.executor(TimedCalls.policy().hedgeDelay(Duration.ofMillis(50)).maxHedges(1));
		List<String> seen = new CopyOnWriteArrayList<>();
		AtomicInteger runners = new AtomicInteger();
		CompletableFuture<String> slow = new CompletableFuture<>();

		CompletableFuture<String> call = executor.callAsync(null, (context, attempt) -> {
			int runner = runners.incrementAndGet();
			seen.add("runner " + runner + ": "
					+ RetryContext.find().map((retry) -> "attempt " + retry.getAttempt()).orElse("no RetryContext"));
			return (runner == 1) ? slow : CompletableFuture.completedFuture("from the hedge");
		}, null);

		assertThat(call.get(2, TimeUnit.SECONDS)).isEqualTo("from the hedge");
		// README: RetryContext.current() works in the method body, which runs again for each attempt.
		assertThat(seen).containsExactly("runner 1: attempt 1", "runner 2: attempt 1");
	}

	@Test
	void theHedgeListenerIsCalledWithTheCallsContextCurrent() throws Exception {
		List<String> seen = new CopyOnWriteArrayList<>();
		RetryListener hedges = new RetryListener() {
			@Override
			public void onHedgeEnded(CallTarget target, boolean won) {
				seen.add((won ? "won" : "lost") + " with "
						+ RetryContext.find().map((retry) -> "attempt " + retry.getAttempt()).orElse("no RetryContext"));
			}
		};
		RetryExecutor executor = this.calls.executor(TimedCalls.policy().hedgeDelay(Duration.ofMillis(50)).maxHedges(1),
				this.calls.runtime().withListeners(List.of(hedges)), null);
		AtomicInteger runners = new AtomicInteger();

		CompletableFuture<String> call = executor.callAsync(null,
				(context, attempt) -> (runners.incrementAndGet() == 1) ? new CompletableFuture<String>()
						: CompletableFuture.completedFuture("from the hedge"),
				null);

		assertThat(call.get(2, TimeUnit.SECONDS)).isEqualTo("from the hedge");
		// README: "Listeners are always called with the call's context current."
		assertThat(seen).containsExactly("won with attempt 1");
	}

	@Test
	void aHedgeOfARetryRunsWithTheRetrysContext() throws Exception {
		RetryExecutor executor = this.calls.executor(
				TimedCalls.policy().maxAttempts(2).hedgeDelay(Duration.ofMillis(50)).maxHedges(1));
		List<String> seen = new CopyOnWriteArrayList<>();
		AtomicInteger runners = new AtomicInteger();

		CompletableFuture<String> call = executor.callAsync(null, (context, attempt) -> {
			int runner = runners.incrementAndGet();
			seen.add("runner " + runner + ": attempt " + RetryContext.current().getAttempt());
			return switch (runner) {
				case 1 -> CompletableFuture.failedFuture(new ConnectException("refused"));
				case 2 -> new CompletableFuture<String>();
				default -> CompletableFuture.completedFuture("from the hedge of the retry");
			};
		}, null);

		assertThat(call.get(2, TimeUnit.SECONDS)).isEqualTo("from the hedge of the retry");
		assertThat(seen).containsExactly("runner 1: attempt 1", "runner 2: attempt 2", "runner 3: attempt 2");
		assertThat(this.calls.events).containsExactly("hedge won", "success_after_retry after 2");
	}

	/**
	 * The attempt fails just as its hedge delay passes, over and over on many threads: every hedge
	 * that ran is reported, won or lost, and no hedge is started for an attempt that already ended.
	 */
	@Test
	void everyHedgeThatRanIsReportedEvenWhenTheAttemptFailsAsItsDelayPasses() {
		AtomicInteger hedgesRun = new AtomicInteger();
		AtomicInteger hedgesReported = new AtomicInteger();
		RetryListener counter = new RetryListener() {
			@Override
			public void onHedgeEnded(CallTarget target, boolean won) {
				hedgesReported.incrementAndGet();
			}
		};
		RetryExecutor executor = this.calls.executor(
				TimedCalls.policy().maxAttempts(1).hedgeDelay(Duration.ofMillis(1)).maxHedges(1),
				this.calls.runtime().withListeners(List.of(counter)), null);
		java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
		try {
			Executor failingSoon = CompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS, pool);
			List<CompletableFuture<String>> started = new ArrayList<>();
			for (int i = 0; i < 2000; i++) {
				AtomicInteger runners = new AtomicInteger();
				started.add(executor.callAsync(null, (context, attempt) -> {
					if (runners.incrementAndGet() > 1) {
						hedgesRun.incrementAndGet();
					}
					return CompletableFuture.supplyAsync(() -> {
						throw new IllegalStateException("refused");
					}, failingSoon);
				}, null));
			}
			for (CompletableFuture<String> call : started) {
				assertThat(catchThrowable(() -> call.get(5, TimeUnit.SECONDS))).isNotNull();
			}
		}
		finally {
			pool.shutdownNow();
		}

		assertThat(hedgesReported).as("hedges reported").hasValue(hedgesRun.get());
	}

	/**
	 * The attempt fails while its hedge is being decided: the budget, asked under the race's lock
	 * whether the hedge may start, holds it until the attempt's failure waits on that lock. The
	 * hedge that starts must be waited for and reported; none may start unreported.
	 */
	@Test
	void aHedgeStartingJustAsTheAttemptFailsIsWaitedForAndReported() throws Exception {
		for (int round = 0; round < 20; round++) {
			CompletableFuture<String> attempt = new CompletableFuture<>();
			java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean();
			dev.retry.time.Ticker failingAsTheBudgetIsAsked = () -> {
				if (armed.compareAndSet(true, false)) {
					Thread failing = new Thread(() -> attempt.completeExceptionally(new ConnectException("refused")));
					failing.start();
					org.awaitility.Awaitility.await()
						.atMost(Duration.ofSeconds(5))
						.until(() -> failing.getState() == Thread.State.BLOCKED || !failing.isAlive());
				}
				return System.nanoTime();
			};
			dev.retry.budget.RetryBudget budget = dev.retry.budget.RetryBudget.of(
					new dev.retry.policy.RetryPolicy.BudgetSettings(1.0, 1000, Duration.ofSeconds(10), false),
					failingAsTheBudgetIsAsked);
			AtomicInteger hedgesRun = new AtomicInteger();
			AtomicInteger hedgesReported = new AtomicInteger();
			RetryListener counter = new RetryListener() {
				@Override
				public void onHedgeEnded(CallTarget target, boolean won) {
					hedgesReported.incrementAndGet();
				}
			};
			dev.retry.policy.RetryPolicy policy = TimedCalls.policy()
				.maxAttempts(1)
				.hedgeDelay(Duration.ofMillis(20))
				.maxHedges(1)
				.build();
			RetryExecutor executor = RetryExecutor.builder("Stock.fetch", policy)
				.classifier(
						new dev.retry.classify.FailureClassifier(policy, dev.retry.classify.HttpStatusResolver.NONE))
				.runtime(this.calls.runtime().withListeners(List.of(counter)))
				.budget(budget)
				.build();
			AtomicInteger runners = new AtomicInteger();

			CompletableFuture<String> call = executor.callAsync(null, (context, number) -> {
				if (runners.incrementAndGet() == 1) {
					return attempt;
				}
				hedgesRun.incrementAndGet();
				return CompletableFuture.failedFuture(new ConnectException("refused too"));
			}, null);
			armed.set(true);

			assertThat(catchThrowable(() -> call.get(5, TimeUnit.SECONDS))).as("round %d", round)
				.hasCauseInstanceOf(ConnectException.class);
			assertThat(hedgesReported).as("hedges reported, round %d", round).hasValue(hedgesRun.get());
		}
	}

	@Test
	void aCallerCancellingAHedgedCallStopsEveryRunnerAndEndsEachObservation() {
		RetryExecutor executor = this.calls.executor(TimedCalls.policy().hedgeDelay(Duration.ofMillis(20)).maxHedges(2));
		List<CompletableFuture<String>> runners = new CopyOnWriteArrayList<>();

		CompletableFuture<String> call = executor.callAsync(null, (context, attempt) -> {
			CompletableFuture<String> runner = new CompletableFuture<>();
			runners.add(runner);
			return runner;
		}, null);
		org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> runners.size() == 3);
		call.cancel(true);

		assertThat(runners).allMatch(CompletableFuture::isCancelled);
		assertThat(this.calls.events).containsExactly("hedge lost", "hedge lost", "cancelled after 1");
		assertThat(this.calls.attemptResults).containsExactly("cancelled", "cancelled", "cancelled");
	}

	@Test
	void aHedgeListenerThatThrowsChangesNothing() throws Exception {
		RetryListener throwing = new RetryListener() {
			@Override
			public void onHedgeEnded(CallTarget target, boolean won) {
				throw new OutOfMemoryError("a listener's bug, not the call's");
			}
		};
		RetryExecutor executor = this.calls.executor(TimedCalls.policy().hedgeDelay(Duration.ofMillis(20)).maxHedges(1),
				this.calls.runtime().withListeners(List.of(throwing, this.calls.recorder)), null);
		AtomicInteger runners = new AtomicInteger();

		CompletableFuture<String> call = executor.callAsync(null,
				(context, attempt) -> (runners.incrementAndGet() == 1) ? new CompletableFuture<String>()
						: CompletableFuture.completedFuture("from the hedge"),
				null);
		Mono<String> reactive = ReactiveRetry.mono(executor,
				Mono.defer(() -> (runners.incrementAndGet() == 3) ? Mono.never() : Mono.just("reactive hedge")), null,
				null);

		assertThat(call.get(2, TimeUnit.SECONDS)).isEqualTo("from the hedge");
		assertThat(reactive.block(Duration.ofSeconds(2))).isEqualTo("reactive hedge");
		this.calls.awaitEvents("hedge won", "success after 1", "hedge won", "success after 1");
	}

	@Test
	void aMonoAttemptThatFailedIsNotHedgedAfterItFailed() {
		RetryExecutor executor = this.calls
			.executor(TimedCalls.policy().maxAttempts(1).hedgeDelay(Duration.ofMillis(300)).maxHedges(1));
		AtomicInteger subscriptions = new AtomicInteger();
		Mono<String> source = Mono.defer(() -> {
			subscriptions.incrementAndGet();
			return Mono.error(new IllegalArgumentException("400 Bad Request: not retryable"));
		});
		long start = System.nanoTime();

		Throwable thrown = catchThrowable(
				() -> ReactiveRetry.mono(executor, source, null, null).block(Duration.ofSeconds(3)));
		Duration took = Duration.ofNanos(System.nanoTime() - start);

		assertThat(thrown).isInstanceOf(IllegalArgumentException.class);
		// The CompletableFuture path fails the attempt at once; the reactive one waits for the hedge
		// delay, then sends the (permanent) failure's request a second time.
		assertThat(subscriptions).as("requests sent for a permanent failure").hasValue(1);
		assertThat(took).as("time until the caller hears the failure").isLessThan(Duration.ofMillis(250));
		assertThat(this.calls.events).doesNotContain("hedge lost");
	}

	@Test
	void aHedgedMonoThatCompletesEmptyIsASuccess() {
		RetryExecutor executor = this.calls.executor(TimedCalls.policy().hedgeDelay(Duration.ofMillis(100)).maxHedges(1));
		AtomicInteger subscriptions = new AtomicInteger();
		// A Mono<Void> (a DELETE, a fire-and-forget POST) or a lookup that finds nothing.
		Mono<Void> source = Mono.defer(() -> {
			subscriptions.incrementAndGet();
			return Mono.empty();
		});

		Throwable thrown = catchThrowable(
				() -> assertThat(ReactiveRetry.mono(executor, source, null, null).block(Duration.ofSeconds(3))).isNull());

		assertThat(thrown).as("an empty answer is an answer").isNull();
		assertThat(subscriptions).as("requests sent").hasValue(1);
	}

	@Test
	void aMonoHedgeThatAnswersEmptyWinsTheRace() {
		RetryExecutor executor = this.calls.executor(TimedCalls.policy().hedgeDelay(Duration.ofMillis(50)).maxHedges(1));
		AtomicInteger subscriptions = new AtomicInteger();
		Mono<String> source = Mono.defer(() -> (subscriptions.incrementAndGet() == 1) ? Mono.never() : Mono.empty());

		String answer = ReactiveRetry.mono(executor, source, null, null).block(Duration.ofSeconds(3));

		assertThat(answer).isNull();
		assertThat(subscriptions).hasValue(2);
		this.calls.awaitEvents("hedge won", "success after 1");
	}

	@Test
	void aMonoHedgeThatFailsLeavesTheRaceToTheAttemptStillRunning() {
		RetryExecutor executor = this.calls
			.executor(TimedCalls.policy().maxAttempts(1).hedgeDelay(Duration.ofMillis(50)).maxHedges(1));
		AtomicInteger subscriptions = new AtomicInteger();
		Mono<String> source = Mono.defer(() -> (subscriptions.incrementAndGet() == 1)
				? Mono.just("from the attempt").delayElement(Duration.ofMillis(300))
				: Mono.error(new ConnectException("refused")));

		String answer = ReactiveRetry.mono(executor, source, null, null).block(Duration.ofSeconds(3));

		assertThat(answer).isEqualTo("from the attempt");
		this.calls.awaitEvents("hedge lost", "success after 1");
	}

	@Test
	void aMonoWhoseRunnersAllFailedFailsWithTheFirstFailureAsTheLastOneFails() {
		RetryExecutor executor = this.calls
			.executor(TimedCalls.policy().maxAttempts(1).hedgeDelay(Duration.ofMillis(30)).maxHedges(1));
		AtomicInteger subscriptions = new AtomicInteger();
		Mono<String> source = Mono.defer(() -> (subscriptions.incrementAndGet() == 1)
				? Mono.<String>error(new ConnectException("the attempt")).delaySubscription(Duration.ofMillis(100))
				: Mono.<String>error(new ConnectException("the hedge")).delaySubscription(Duration.ofMillis(200)));

		Throwable thrown = catchThrowable(
				() -> ReactiveRetry.mono(executor, source, null, null).block(Duration.ofSeconds(3)));

		assertThat(reactor.core.Exceptions.unwrap(thrown)).isInstanceOf(ConnectException.class).hasMessage("the attempt");
		assertThat(subscriptions).hasValue(2);
		assertThat(this.calls.events).containsExactly("hedge lost", "exhausted after 1");
	}

	@Test
	void aFluxHedgeThatWinsStreamsAllItsElements() {
		RetryExecutor executor = this.calls.executor(TimedCalls.policy().hedgeDelay(Duration.ofMillis(50)).maxHedges(1));
		AtomicInteger subscriptions = new AtomicInteger();
		Flux<Integer> source = Flux.defer(() -> (subscriptions.incrementAndGet() == 1) ? Flux.never()
				: Flux.just(1, 2, 3));

		List<Integer> elements = ReactiveRetry.flux(executor, source, null, null)
			.collectList()
			.block(Duration.ofSeconds(3));

		assertThat(elements).containsExactly(1, 2, 3);
		assertThat(this.calls.events).containsExactly("hedge won", "success after 1");
	}

	@Test
	void theReactiveHedgeListenerIsCalledWithTheCallsContextCurrent() {
		List<String> seen = new CopyOnWriteArrayList<>();
		RetryListener hedges = new RetryListener() {
			@Override
			public void onHedgeEnded(CallTarget target, boolean won) {
				seen.add((won ? "won" : "lost") + " with "
						+ RetryContext.find().map((retry) -> "attempt " + retry.getAttempt()).orElse("no RetryContext"));
			}
		};
		RetryExecutor executor = this.calls.executor(TimedCalls.policy().hedgeDelay(Duration.ofMillis(50)).maxHedges(1),
				this.calls.runtime().withListeners(List.of(hedges)), null);
		AtomicInteger subscriptions = new AtomicInteger();
		Mono<String> source = Mono.defer(() -> (subscriptions.incrementAndGet() == 1) ? Mono.never()
				: Mono.just("from the hedge"));

		assertThat(ReactiveRetry.mono(executor, source, null, null).block(Duration.ofSeconds(3)))
			.isEqualTo("from the hedge");
		assertThat(seen).containsExactly("won with attempt 1");
	}

	/** Many racing subscriptions at once: every hedge that subscribed is reported once, one answer each. */
	@Test
	void everyReactiveHedgeThatRanIsReportedOnceUnderConcurrency() {
		AtomicInteger hedgesReported = new AtomicInteger();
		AtomicInteger won = new AtomicInteger();
		RetryListener counter = new RetryListener() {
			@Override
			public void onHedgeEnded(CallTarget target, boolean hedgeWon) {
				hedgesReported.incrementAndGet();
				if (hedgeWon) {
					won.incrementAndGet();
				}
			}
		};
		RetryExecutor executor = this.calls.executor(
				TimedCalls.policy().maxAttempts(1).hedgeDelay(Duration.ofMillis(1)).maxHedges(2),
				this.calls.runtime().withListeners(List.of(counter)), null);
		AtomicInteger subscriptions = new AtomicInteger();
		Mono<String> source = Mono.defer(() -> {
			subscriptions.incrementAndGet();
			return Mono.just("answer").delayElement(Duration.ofMillis(2));
		});

		List<String> answers = Flux.range(0, 500)
			.flatMap((i) -> ReactiveRetry.mono(executor, source, null, null), 64)
			.collectList()
			.block(Duration.ofSeconds(20));

		assertThat(answers).hasSize(500).containsOnly("answer");
		// A hedge that subscribed as its race ended is reported as it subscribes, on its own thread.
		org.awaitility.Awaitility.await()
			.atMost(Duration.ofSeconds(2))
			.untilAsserted(() -> assertThat(hedgesReported).as("hedges reported").hasValue(subscriptions.get() - 500));
		assertThat(won.get()).isLessThanOrEqualTo(500);
	}


	@Test
	void aCallerCancellingBeforeTheHedgeDelayStartsNoHedgeAfterIt() {
		RetryExecutor executor = this.calls.executor(TimedCalls.policy().hedgeDelay(Duration.ofMillis(50)).maxHedges(2));
		AtomicInteger runners = new AtomicInteger();

		CompletableFuture<String> call = executor.callAsync(null, (context, attempt) -> {
			runners.incrementAndGet();
			return new CompletableFuture<String>();
		}, null);
		call.cancel(true);

		// Three hedge delays later, the timer of the cancelled call has started nothing.
		org.awaitility.Awaitility.await()
			.pollDelay(Duration.ofMillis(150))
			.atMost(Duration.ofSeconds(2))
			.untilAsserted(() -> assertThat(runners).hasValue(1));
		assertThat(this.calls.events).containsExactly("cancelled after 1");
		assertThat(this.calls.attemptResults).containsExactly("cancelled");
	}

	@Test
	void aHedgeWhoseMethodThrowsInsteadOfReturningItsFutureLeavesTheRaceToTheAttempt() throws Exception {
		RetryExecutor executor = this.calls.executor(TimedCalls.policy().hedgeDelay(Duration.ofMillis(20)).maxHedges(1));
		AtomicInteger runners = new AtomicInteger();
		CompletableFuture<String> first = new CompletableFuture<>();

		CompletableFuture<String> call = executor.callAsync(null, (context, attempt) -> {
			if (runners.incrementAndGet() == 1) {
				return first;
			}
			throw new IllegalStateException("the hedge's request could not be built");
		}, null);
		org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> runners.get() == 2);
		assertThat(call).isNotDone();
		first.complete("from the attempt");

		assertThat(call.get(2, TimeUnit.SECONDS)).isEqualTo("from the attempt");
		assertThat(this.calls.events).containsExactly("hedge lost", "success after 1");
	}

	/**
	 * Callers give up while hedges start on the watchdog's threads: every runner that started,
	 * even one that started as its call was cancelled, is cancelled, and each hedge is reported
	 * exactly once.
	 */
	@Test
	void callersCancellingWhileTheirHedgesStartLeaveNoRunnerGoingAndReportEachHedgeOnce() throws Exception {
		AtomicInteger hedgesReported = new AtomicInteger();
		RetryListener counting = new RetryListener() {
			@Override
			public void onHedgeEnded(CallTarget target, boolean won) {
				hedgesReported.incrementAndGet();
			}
		};
		RetryExecutor executor = this.calls.executor(TimedCalls.policy().hedgeDelay(Duration.ofMillis(1)).maxHedges(2),
				this.calls.runtime().withListeners(List.of(counting, this.calls.recorder)), null);
		List<CompletableFuture<String>> runners = new CopyOnWriteArrayList<>();
		int count = 400;
		List<CompletableFuture<String>> started = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			started.add(executor.callAsync(null, (context, attempt) -> {
				CompletableFuture<String> runner = new CompletableFuture<>();
				runners.add(runner);
				return runner;
			}, null));
		}
		java.util.concurrent.ExecutorService cancellers = java.util.concurrent.Executors.newFixedThreadPool(8);
		try {
			List<java.util.concurrent.Future<?>> cancelled = new ArrayList<>();
			for (CompletableFuture<String> call : started) {
				cancelled.add(cancellers.submit(() -> call.cancel(true)));
			}
			for (java.util.concurrent.Future<?> done : cancelled) {
				done.get(5, TimeUnit.SECONDS);
			}
		}
		finally {
			cancellers.shutdownNow();
		}

		assertThat(started).allMatch(CompletableFuture::isCancelled);
		org.awaitility.Awaitility.await()
			.atMost(Duration.ofSeconds(3))
			.untilAsserted(() -> assertThat(runners).as("runners still going").allMatch(CompletableFuture::isCancelled));
		assertThat(hedgesReported).as("hedges reported").hasValue(runners.size() - count);
		assertThat(this.calls.events.stream().filter((event) -> event.startsWith("cancelled"))).hasSize(count);
	}

	@Test
	void aFluxWhoseFirstElementCameBeforeTheHedgeDelayIsNotHedgedWhileTheRestStreams() {
		RetryExecutor executor = this.calls.executor(TimedCalls.policy().hedgeDelay(Duration.ofMillis(30)).maxHedges(1));
		AtomicInteger subscriptions = new AtomicInteger();
		Flux<Integer> source = Flux.defer(() -> {
			subscriptions.incrementAndGet();
			return Flux.concat(Flux.just(1), Flux.just(2, 3).delayElements(Duration.ofMillis(100)));
		});

		List<Integer> elements = ReactiveRetry.flux(executor, source, null, null).collectList().block(Duration.ofSeconds(3));

		assertThat(elements).containsExactly(1, 2, 3);
		assertThat(subscriptions).as("subscriptions").hasValue(1);
		this.calls.awaitEvents("success after 1");
	}

	@Test
	void aFluxAttemptThatWinsAfterItsHedgeStartedStreamsAllItsElementsAndCancelsTheHedge() {
		RetryExecutor executor = this.calls.executor(TimedCalls.policy().hedgeDelay(Duration.ofMillis(30)).maxHedges(1));
		AtomicInteger subscriptions = new AtomicInteger();
		AtomicInteger hedgesCancelled = new AtomicInteger();
		Flux<Integer> source = Flux.defer(() -> (subscriptions.incrementAndGet() == 1)
				? Flux.just(1, 2, 3).delaySequence(Duration.ofMillis(120))
				: Flux.<Integer>never().doOnCancel(hedgesCancelled::incrementAndGet));

		List<Integer> elements = ReactiveRetry.flux(executor, source, null, null).collectList().block(Duration.ofSeconds(3));

		assertThat(elements).containsExactly(1, 2, 3);
		assertThat(subscriptions).hasValue(2);
		assertThat(hedgesCancelled).as("the losing hedge's subscription cancelled").hasValue(1);
		this.calls.awaitEvents("hedge lost", "success after 1");
	}

	@Test
	void aSubscriberDisposingAHedgedMonoCancelsEveryRunnerAndNoHedgeStartsAfter() {
		// The first hedge subscribes after 300ms, the second would after 600ms.
		RetryExecutor executor = this.calls.executor(TimedCalls.policy().hedgeDelay(Duration.ofMillis(300)).maxHedges(2));
		AtomicInteger subscriptions = new AtomicInteger();
		AtomicInteger cancelled = new AtomicInteger();
		Mono<String> source = Mono.defer(() -> {
			subscriptions.incrementAndGet();
			return Mono.<String>never().doOnCancel(cancelled::incrementAndGet);
		});

		reactor.core.Disposable subscription = ReactiveRetry.mono(executor, source, null, null).subscribe();
		org.awaitility.Awaitility.await()
			.pollInterval(Duration.ofMillis(5))
			.atMost(Duration.ofSeconds(2))
			.until(() -> subscriptions.get() == 2);
		subscription.dispose();

		org.awaitility.Awaitility.await()
			.pollDelay(Duration.ofMillis(700))
			.atMost(Duration.ofSeconds(2))
			.untilAsserted(() -> assertThat(cancelled).as("runners cancelled").hasValue(2));
		assertThat(subscriptions).as("no hedge after the subscriber left").hasValue(2);
		this.calls.awaitEvents("hedge lost", "cancelled after 1");
		assertThat(this.calls.attemptResults).containsExactly("cancelled", "cancelled");
	}

	@Test
	void aMonoHedgeWhoseValueIsRejectedLeavesTheRaceToTheAttempt() {
		RetryExecutor executor = this.calls.executor(
				TimedCalls.policy().maxAttempts(1).hedgeDelay(Duration.ofMillis(50)).maxHedges(1), this.calls.runtime(),
				"PENDING"::equals);
		AtomicInteger subscriptions = new AtomicInteger();
		// The hedge answers PENDING at once; the attempt answers DONE a little later.
		Mono<String> source = Mono.defer(() -> (subscriptions.incrementAndGet() == 1)
				? Mono.just("DONE").delayElement(Duration.ofMillis(200)) : Mono.just("PENDING"));

		String answer = ReactiveRetry.mono(executor, source, null, null).block(Duration.ofSeconds(3));

		assertThat(answer).isEqualTo("DONE");
		assertThat(subscriptions).hasValue(2);
		this.calls.awaitEvents("hedge lost", "success after 1");
	}

}
