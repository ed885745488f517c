package dev.retry.execution;

import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.backoff.Jitter;
import dev.retry.event.CallObserver;
import dev.retry.event.CallTarget;
import dev.retry.event.Outcome;
import dev.retry.policy.RetryPolicy;
import dev.retry.time.ManualClock;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.util.context.Context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** What a {@link CallObserver} sees of a call, for every call style. */
class CallObserverTest {

	private final ManualClock clock = new ManualClock();

	private final Recorder recorder = new Recorder();

	private RetryExecutor executor(int maxAttempts) {
		RetryRuntime runtime = RetryRuntime.defaults()
			.withSleeper(this.clock)
			.withTicker(this.clock)
			.withScheduler(this.clock)
			.withRandom(() -> 0.0)
			.withObserver(this.recorder);
		return RetryExecutor.builder("Inventory.fetch",
				RetryPolicy.builder("network").maxAttempts(maxAttempts).jitter(Jitter.NONE).build())
			.runtime(runtime)
			.build();
	}

	@Test
	void aSynchronousCallThatSucceedsAtOnceIsCurrentOnlyInItsAttempt() throws Throwable {
		assertThat(executor(3).get(() -> {
			this.recorder.events.add("method sees " + this.recorder.current);
			return "ok";
		})).isEqualTo("ok");
		assertThat(this.recorder.events).containsExactly("start Inventory.fetch (network) parent=null", "attempt 1",
				"open attempt 1", "method sees attempt 1", "close attempt 1", "end attempt 1: ok",
				"end call: SUCCESS after 1");
	}

	@Test
	void aSynchronousCallIsCurrentFromItsFirstFailureAndEachAttemptWhileItRuns() throws Throwable {
		AtomicInteger calls = new AtomicInteger();
		String answer = executor(3).get(() -> {
			int call = calls.incrementAndGet();
			this.recorder.events.add("method sees " + this.recorder.current);
			if (call < 3) {
				throw new ConnectException("refused #" + call);
			}
			return "ok";
		});
		assertThat(answer).isEqualTo("ok");
		assertThat(this.recorder.events).containsExactly("start Inventory.fetch (network) parent=null",
				"attempt 1", "open attempt 1", "method sees attempt 1", "close attempt 1",
				"end attempt 1: java.net.ConnectException", "open call",
				"wait before attempt 2: PT1S (backoff) after java.net.ConnectException", "attempt 2",
				"open attempt 2", "method sees attempt 2", "close attempt 2", "end attempt 2: java.net.ConnectException",
				"wait before attempt 3: PT2S (backoff) after java.net.ConnectException", "attempt 3",
				"open attempt 3", "method sees attempt 3", "close attempt 3", "end attempt 3: ok",
				"end call: SUCCESS_AFTER_RETRY after 3", "close call");
	}

	@Test
	void aCallThatGivesUpEndsWithItsOutcomeAndLastFailure() {
		Throwable thrown = catchThrowable(() -> executor(2).get(() -> {
			throw new ConnectException("refused");
		}));
		assertThat(thrown).isInstanceOf(ConnectException.class);
		assertThat(this.recorder.events).contains("end attempt 2: java.net.ConnectException")
			.endsWith("end call: EXHAUSTED after 2: java.net.ConnectException", "close call");
	}

	@Test
	void anAsynchronousCallEndsEachAttemptWhenItsFutureCompletes() throws Exception {
		AtomicInteger calls = new AtomicInteger();
		CompletableFuture<String> answer = executor(3).callAsync(calls, (counter, attempt) -> {
			int call = counter.incrementAndGet();
			return (call < 2) ? CompletableFuture.failedFuture(new ConnectException("refused"))
					: CompletableFuture.completedFuture("ok");
		}, null);
		assertThat(answer.get()).isEqualTo("ok");
		assertThat(this.recorder.events).containsExactly("start Inventory.fetch (network) parent=null",
				"attempt 1", "open attempt 1", "close attempt 1", "end attempt 1: java.net.ConnectException",
				"wait before attempt 2: PT1S (backoff) after java.net.ConnectException", "attempt 2",
				"open attempt 2", "close attempt 2", "end attempt 2: ok", "end call: SUCCESS_AFTER_RETRY after 2");
	}

	@Test
	void aCancelledAsynchronousCallIsToldAsCancelled() {
		CompletableFuture<String> never = new CompletableFuture<>();
		CompletableFuture<String> answer = executor(3).callAsync(never, (future, attempt) -> future, null);
		answer.cancel(true);
		assertThat(this.recorder.events).contains("end attempt 1: java.util.concurrent.CancellationException")
			.endsWith("cancelled after 1");
	}

	@Test
	void eachReactiveAttemptCarriesItselfInTheContextAndTheCallFindsItsParentThere() {
		AtomicInteger calls = new AtomicInteger();
		Mono<String> source = Mono.deferContextual((context) -> {
			this.recorder.events.add("source sees " + context.getOrDefault(Recorder.KEY, "nothing"));
			return (calls.incrementAndGet() < 2) ? Mono.error(new ConnectException("refused")) : Mono.just("ok");
		});
		StepVerifier.create(ReactiveRetry.mono(executor(3), source, null, null)
			.contextWrite(Context.of(Recorder.KEY, "request span"))).expectNext("ok").verifyComplete();
		// Each attempt is current while it subscribes, and left before its answer goes on.
		assertThat(this.recorder.events).containsExactly("start Inventory.fetch (network) parent=request span",
				"attempt 1", "open attempt 1", "source sees attempt 1", "close attempt 1",
				"end attempt 1: java.net.ConnectException",
				"wait before attempt 2: PT1S (backoff) after java.net.ConnectException", "attempt 2",
				"open attempt 2", "source sees attempt 2", "close attempt 2", "end attempt 2: ok",
				"end call: SUCCESS_AFTER_RETRY after 2");
	}

	@Test
	void anObserverThatThrowsEverywhereNeitherFailsNorStopsTheCall() throws Throwable {
		CallObserver throwing = new CallObserver() {
			@Override
			public Call start(CallTarget target, @Nullable Object parent) {
				throw new IllegalStateException("tracing backend broken");
			}
		};
		RetryRuntime runtime = RetryRuntime.defaults()
			.withSleeper(this.clock)
			.withTicker(this.clock)
			.withScheduler(this.clock)
			.withObserver(throwing);
		RetryExecutor executor = RetryExecutor.builder("Inventory.fetch", RetryPolicy.builder("network").build())
			.runtime(runtime)
			.build();
		AtomicInteger calls = new AtomicInteger();
		assertThat(executor.get(() -> {
			if (calls.incrementAndGet() < 2) {
				throw new ConnectException("refused");
			}
			return "ok";
		})).isEqualTo("ok");
		assertThat(calls).hasValue(2);
		CompletableFuture<String> later = executor.callAsync(null,
				(context, attempt) -> CompletableFuture.completedFuture("later"), null);
		assertThat(later.get()).isEqualTo("later");
		StepVerifier.create(ReactiveRetry.mono(executor, Mono.just("reactive"), null, null))
			.expectNext("reactive")
			.verifyComplete();
	}

	@Test
	void anAttemptObservationThatThrowsOnEndingLeavesTheRetriesAsTheyWere() throws Throwable {
		CallObserver endThrows = new CallObserver() {
			@Override
			public Call start(CallTarget target, @Nullable Object parent) {
				Call recorded = CallObserverTest.this.recorder.start(target, parent);
				return new Call() {
					@Override
					public Scope open() {
						return recorded.open();
					}

					@Override
					public ObservedAttempt attempt(int number) {
						ObservedAttempt attempt = recorded.attempt(number);
						return new ObservedAttempt() {
							@Override
							public Scope open() {
								return () -> {
									throw new IllegalStateException("scope broken");
								};
							}

							@Override
							public void end(@Nullable Throwable failure) {
								attempt.end(failure);
								throw new IllegalStateException("handler broken");
							}
						};
					}

					@Override
					public void waiting(int nextAttempt, Duration delay, Throwable failure, String reason) {
						recorded.waiting(nextAttempt, delay, failure, reason);
					}

					@Override
					public void end(Outcome outcome, int attempts, @Nullable Throwable failure) {
						recorded.end(outcome, attempts, failure);
					}

					@Override
					public void cancelled(int attempts) {
						recorded.cancelled(attempts);
					}
				};
			}
		};
		RetryRuntime runtime = RetryRuntime.defaults()
			.withSleeper(this.clock)
			.withTicker(this.clock)
			.withRandom(() -> 0.0)
			.withObserver(endThrows);
		RetryExecutor executor = RetryExecutor.builder("Inventory.fetch",
				RetryPolicy.builder("network").maxAttempts(3).jitter(Jitter.NONE).build())
			.runtime(runtime)
			.build();
		AtomicInteger calls = new AtomicInteger();
		assertThat(executor.get(() -> {
			if (calls.incrementAndGet() < 3) {
				throw new ConnectException("refused");
			}
			return "ok";
		})).isEqualTo("ok");
		assertThat(this.clock.sleeps()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
		assertThat(this.recorder.events).contains("end attempt 3: ok", "end call: SUCCESS_AFTER_RETRY after 3");
	}

	@Test
	void anObserverOfRetriesIsNotToldOfCallsThatSucceedAtOnceNorOfFailuresNotRetried() throws Throwable {
		this.recorder.everyCall = false;
		RetryExecutor executor = executor(3);
		assertThat(executor.get(() -> "ok")).isEqualTo("ok");
		assertThat(executor.callAsync(null, (context, attempt) -> CompletableFuture.completedFuture("later"), null)
			.get()).isEqualTo("later");
		StepVerifier.create(ReactiveRetry.mono(executor, Mono.just("reactive"), null, null))
			.expectNext("reactive")
			.verifyComplete();
		assertThat(catchThrowable(() -> executor.get(() -> {
			throw new IllegalArgumentException("permanent");
		}))).isInstanceOf(IllegalArgumentException.class);
		assertThat(this.recorder.events).isEmpty();
	}

	@Test
	void anObserverOfRetriesFollowsASynchronousCallFromItsFirstRetry() throws Throwable {
		this.recorder.everyCall = false;
		assertThat(executor(3).get(failingTwice())).isEqualTo("ok");
		assertThat(this.recorder.events).containsExactly("method sees null", "retrying Inventory.fetch",
				"wait before attempt 2: PT1S (backoff) after java.net.ConnectException", "open call", "attempt 2",
				"open attempt 2", "method sees attempt 2", "close attempt 2", "end attempt 2: java.net.ConnectException",
				"wait before attempt 3: PT2S (backoff) after java.net.ConnectException", "attempt 3",
				"open attempt 3", "method sees attempt 3", "close attempt 3", "end attempt 3: ok",
				"end call: SUCCESS_AFTER_RETRY after 3", "close call");
	}

	@Test
	void aCallLeftAtItsStartIsFollowedFromItsFirstRetry() throws Throwable {
		this.recorder.leavesCalls = true;
		assertThat(executor(3).get(failingTwice())).isEqualTo("ok");
		assertThat(this.recorder.events).startsWith("start Inventory.fetch (network) parent=null", "method sees null",
				"retrying Inventory.fetch")
			.contains("method sees attempt 2", "method sees attempt 3")
			.endsWith("end call: SUCCESS_AFTER_RETRY after 3", "close call");
	}

	@Test
	void anObserverOfRetriesFollowsAnAsynchronousCallFromItsFirstRetry() throws Exception {
		this.recorder.everyCall = false;
		AtomicInteger calls = new AtomicInteger();
		CompletableFuture<String> answer = executor(3).callAsync(calls, (counter, attempt) -> {
			return (counter.incrementAndGet() < 2) ? CompletableFuture.failedFuture(new ConnectException("refused"))
					: CompletableFuture.completedFuture("ok");
		}, null);
		assertThat(answer.get()).isEqualTo("ok");
		assertThat(this.recorder.events).containsExactly("retrying Inventory.fetch",
				"wait before attempt 2: PT1S (backoff) after java.net.ConnectException", "attempt 2",
				"open attempt 2", "close attempt 2", "end attempt 2: ok", "end call: SUCCESS_AFTER_RETRY after 2");
	}

	@Test
	void anObserverOfRetriesFollowsAReactiveCallFromItsFirstRetry() {
		this.recorder.everyCall = false;
		AtomicInteger calls = new AtomicInteger();
		Mono<String> source = Mono.deferContextual((context) -> {
			this.recorder.events.add("source sees " + context.getOrDefault(Recorder.KEY, "nothing"));
			return (calls.incrementAndGet() < 2) ? Mono.error(new ConnectException("refused")) : Mono.just("ok");
		});
		StepVerifier.create(ReactiveRetry.mono(executor(3), source, null, null)).expectNext("ok").verifyComplete();
		assertThat(this.recorder.events).containsExactly("source sees nothing", "retrying Inventory.fetch",
				"wait before attempt 2: PT1S (backoff) after java.net.ConnectException", "attempt 2",
				"open attempt 2", "source sees attempt 2", "close attempt 2", "end attempt 2: ok",
				"end call: SUCCESS_AFTER_RETRY after 2");
	}

	@Test
	void anObserverOfRetriesThatThrowsNeitherFailsNorStopsTheCall() throws Throwable {
		CallObserver throwing = new CallObserver() {
			@Override
			public CallObserver forTarget(CallTarget target) {
				throw new IllegalStateException("cannot resolve");
			}

			@Override
			public boolean followsEveryCall() {
				return false;
			}

			@Override
			public @Nullable Call start(CallTarget target, @Nullable Object parent) {
				throw new AssertionError("not asked: it follows retries only");
			}

			@Override
			public Call retrying(CallTarget target) {
				throw new IllegalStateException("tracing backend broken");
			}
		};
		RetryRuntime runtime = RetryRuntime.defaults()
			.withSleeper(this.clock)
			.withTicker(this.clock)
			.withScheduler(this.clock)
			.withObserver(throwing);
		RetryExecutor executor = RetryExecutor.builder("Inventory.fetch", RetryPolicy.builder("network").build())
			.runtime(runtime)
			.build();
		assertThat(executor.get(failingTwice())).isEqualTo("ok");
		assertThat(executor.callAsync(new AtomicInteger(), (counter, attempt) -> (counter.incrementAndGet() < 2)
				? CompletableFuture.failedFuture(new ConnectException("refused"))
				: CompletableFuture.completedFuture("later"), null).get()).isEqualTo("later");
	}

	private RetryExecutor.CheckedSupplier<String> failingTwice() {
		AtomicInteger calls = new AtomicInteger();
		return () -> {
			this.recorder.events.add("method sees " + this.recorder.current);
			if (calls.incrementAndGet() < 3) {
				throw new ConnectException("refused");
			}
			return "ok";
		};
	}

	@Test
	void withoutAnObserverNothingIsFollowed() throws Throwable {
		RetryExecutor executor = RetryExecutor.builder("Inventory.fetch", RetryPolicy.builder("network").build())
			.runtime(RetryRuntime.defaults())
			.build();
		assertThat(executor.get(() -> "ok")).isEqualTo("ok");
		assertThat(this.recorder.events).isEmpty();
	}

	/** Writes down what it is told, and what is current. */
	static final class Recorder implements CallObserver {

		static final String KEY = "observation";

		final List<String> events = new CopyOnWriteArrayList<>();

		volatile @Nullable String current;

		@Override
		public @Nullable Object contextKey() {
			return KEY;
		}

		/** Whether it follows every call from its start; false: retries only. */
		boolean everyCall = true;

		/** Whether it leaves each call at its start (as in a trace nobody records). */
		boolean leavesCalls;

		@Override
		public boolean followsEveryCall() {
			return this.everyCall;
		}

		@Override
		public @Nullable Call start(CallTarget target, @Nullable Object parent) {
			this.events.add("start " + target.name() + " (" + target.policy() + ") parent=" + parent);
			return this.leavesCalls ? null : call();
		}

		@Override
		public Call retrying(CallTarget target) {
			this.events.add("retrying " + target.name());
			return call();
		}

		private Call call() {
			return new Call() {
				@Override
				public Scope open() {
					return scope("call");
				}

				@Override
				public ObservedAttempt attempt(int number) {
					Recorder.this.events.add("attempt " + number);
					return new ObservedAttempt() {
						@Override
						public Scope open() {
							return scope("attempt " + number);
						}

						@Override
						public void end(@Nullable Throwable failure) {
							Recorder.this.events.add("end attempt " + number + ": "
									+ ((failure != null) ? failure.getClass().getName() : "ok"));
						}

						@Override
						public Object contextValue() {
							return "attempt " + number;
						}
					};
				}

				@Override
				public void waiting(int nextAttempt, Duration delay, Throwable failure, String reason) {
					Recorder.this.events.add("wait before attempt " + nextAttempt + ": " + delay + " (" + reason
							+ ") after " + failure.getClass().getName());
				}

				@Override
				public void end(Outcome outcome, int attempts, @Nullable Throwable failure) {
					Recorder.this.events.add("end call: " + outcome + " after " + attempts
							+ ((failure != null) ? ": " + failure.getClass().getName() : ""));
				}

				@Override
				public void cancelled(int attempts) {
					Recorder.this.events.add("cancelled after " + attempts);
				}
			};
		}

		private Scope scope(String what) {
			String previous = this.current;
			this.current = what;
			this.events.add("open " + what);
			return () -> {
				this.events.add("close " + what);
				this.current = previous;
			};
		}

	}

}
