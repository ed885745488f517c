package dev.retry.execution;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.retry.CircuitBreakerOpenException;
import dev.retry.RetryExhaustedException;
import dev.retry.backoff.Jitter;
import dev.retry.breaker.CircuitBreaker;
import dev.retry.breaker.CircuitBreakerConfig;
import dev.retry.event.CallTarget;
import dev.retry.event.Outcome;
import dev.retry.event.RetryListener;
import dev.retry.policy.OnExhausted;
import dev.retry.policy.RetryPolicy;
import dev.retry.policy.RetryPolicyBuilder;
import dev.retry.time.ManualClock;
import dev.retry.time.Sleeper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

class RetryExecutorTest {

	private final ManualClock clock = new ManualClock();

	private final RecordingListener recorder = new RecordingListener();

	private final List<String> events = this.recorder.events;

	private RetryExecutor executor(RetryPolicyBuilder policy) {
		RetryRuntime runtime = RetryRuntime.defaults()
			.withSleeper(this.clock)
			.withTicker(this.clock)
			.withRandom(() -> 0.0)
			.withListeners(List.of(this.recorder));
		return RetryExecutor.builder("Inventory.fetch", policy.build())
			.runtime(runtime)
			.build();
	}

	private static RetryPolicyBuilder network() {
		return RetryPolicy.builder("network").jitter(Jitter.NONE);
	}

	@Test
	void firstTrySuccessNeitherWaitsNorRetries() throws Throwable {
		RetryExecutor executor = executor(network());

		assertThat(executor.get(() -> "ok")).isEqualTo("ok");
		assertThat(this.clock.sleeps()).isEmpty();
		assertThat(this.events).containsExactly("success after 1");
	}

	@Test
	void transientFailuresAreRetriedWithBackoffUntilSuccess() throws Throwable {
		RetryExecutor executor = executor(network().maxAttempts(4));
		AtomicInteger calls = new AtomicInteger();

		String result = executor.get(() -> {
			if (calls.incrementAndGet() < 4) {
				throw new ConnectException("Connection refused");
			}
			return "ok";
		});

		assertThat(result).isEqualTo("ok");
		assertThat(calls).hasValue(4);
		assertThat(this.clock.sleeps()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2),
				Duration.ofSeconds(4));
		assertThat(this.events).containsExactly("retry 2/4 in PT1S after ConnectException",
				"retry 3/4 in PT2S after ConnectException", "retry 4/4 in PT4S after ConnectException",
				"success_after_retry after 4");
	}

	@Test
	void exhaustedCallRethrowsTheLastExceptionItself() {
		RetryExecutor executor = executor(network());
		List<ConnectException> thrown = new ArrayList<>();

		Throwable failure = catchThrowable(() -> executor.get(() -> {
			ConnectException ex = new ConnectException("refused #" + (thrown.size() + 1));
			thrown.add(ex);
			throw ex;
		}));

		assertThat(thrown).hasSize(3);
		assertThat(failure).isSameAs(thrown.get(2)).hasNoSuppressedExceptions();
		assertThat(this.events).last().isEqualTo("exhausted after 3");
	}

	@Test
	void exhaustedCallWrapsWhenConfigured() {
		RetryExecutor executor = executor(network().onExhausted(OnExhausted.WRAP));
		AtomicInteger calls = new AtomicInteger();

		Throwable failure = catchThrowable(() -> executor.get(() -> {
			throw new ConnectException("refused #" + calls.incrementAndGet());
		}));

		assertThat(failure).isInstanceOf(RetryExhaustedException.class)
			.hasMessage("Inventory.fetch failed after 3 attempts: refused #3");
		assertThat(failure.getCause()).hasMessage("refused #3");
		assertThat(failure.getSuppressed()).extracting(Throwable::getMessage).containsExactly("refused #1", "refused #2");
		assertThat(((RetryExhaustedException) failure).getAttempts()).isEqualTo(3);
	}

	@Test
	void permanentFailureIsNotRetriedNorWrapped() {
		RetryExecutor executor = executor(network().onExhausted(OnExhausted.WRAP));
		IllegalArgumentException invalid = new IllegalArgumentException("sku must not be blank");
		AtomicInteger calls = new AtomicInteger();

		Throwable failure = catchThrowable(() -> executor.get(() -> {
			calls.incrementAndGet();
			throw invalid;
		}));

		assertThat(failure).isSameAs(invalid);
		assertThat(calls).hasValue(1);
		assertThat(this.events).containsExactly("not_retryable after 1");
	}

	@Test
	void errorsAreNeverRetried() {
		RetryExecutor executor = executor(network().retryOn(List.of(Throwable.class)));
		AtomicInteger calls = new AtomicInteger();

		assertThatExceptionOfType(StackOverflowError.class).isThrownBy(() -> executor.get(() -> {
			calls.incrementAndGet();
			throw new StackOverflowError();
		}));
		assertThat(calls).hasValue(1);
	}

	@Test
	void interruptedCallIsNotRetriedAndKeepsTheFlag() throws Exception {
		RetryExecutor executor = executor(network().retryOn(List.of(Exception.class)));
		AtomicInteger calls = new AtomicInteger();
		AtomicReference<Throwable> failure = new AtomicReference<>();
		AtomicReference<Boolean> flag = new AtomicReference<>();

		Thread caller = new Thread(() -> {
			failure.set(catchThrowable(() -> executor.get(() -> {
				calls.incrementAndGet();
				Thread.currentThread().interrupt();
				throw new IOException("interrupted read");
			})));
			flag.set(Thread.currentThread().isInterrupted());
		});
		caller.start();
		caller.join();

		assertThat(calls).hasValue(1);
		assertThat(failure.get()).hasMessage("interrupted read");
		assertThat(flag.get()).isTrue();
		assertThat(this.clock.sleeps()).isEmpty();
	}

	@Test
	void interruptDuringAWaitEndsTheCallAtOnceWithTheLastFailureAndKeepsTheFlag() throws Exception {
		RetryRuntime realSleep = RetryRuntime.defaults().withSleeper(Sleeper.THREAD_SLEEP);
		RetryExecutor executor = RetryExecutor.builder("Slow.call",
				RetryPolicy.builder("slow").baseDelay(Duration.ofHours(1)).maxDelay(Duration.ofHours(1)).build())
			.runtime(realSleep)
			.build();
		AtomicInteger calls = new AtomicInteger();
		AtomicReference<Throwable> failure = new AtomicReference<>();
		AtomicReference<Boolean> flag = new AtomicReference<>();
		Thread caller = new Thread(() -> {
			failure.set(catchThrowable(() -> executor.get(() -> {
				throw new ConnectException("refused #" + calls.incrementAndGet());
			})));
			flag.set(Thread.currentThread().isInterrupted());
		});

		caller.start();
		await().until(() -> caller.getState() == Thread.State.TIMED_WAITING);
		caller.interrupt();
		caller.join(Duration.ofSeconds(10).toMillis());

		assertThat(caller.isAlive()).isFalse();
		assertThat(calls).hasValue(1);
		assertThat(failure.get()).isInstanceOf(ConnectException.class).hasMessage("refused #1");
		assertThat(flag.get()).isTrue();
	}

	@Test
	void deadlineStopsBeforeAWaitThatWouldCrossIt() {
		RetryExecutor executor = executor(network().maxAttempts(5).maxDuration(Duration.ofSeconds(3)));
		AtomicInteger calls = new AtomicInteger();

		Throwable failure = catchThrowable(() -> executor.get(() -> {
			calls.incrementAndGet();
			throw new ConnectException("refused");
		}));

		assertThat(failure).isInstanceOf(ConnectException.class);
		assertThat(this.clock.sleeps()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
		assertThat(calls).hasValue(3);
		assertThat(this.events).last().isEqualTo("deadline_exceeded after 3");
	}

	@Test
	void contextTellsTheAttemptAndKeepsAttributesAcrossAttempts() throws Throwable {
		RetryExecutor executor = executor(network());
		List<String> seen = new ArrayList<>();

		String result = executor.get(() -> {
			RetryContext retry = RetryContext.current();
			StringBuilder received = retry.computeAttributeIfAbsent("received", (k) -> new StringBuilder());
			seen.add(retry.getAttempt() + "/" + retry.getMaxAttempts() + " retry=" + retry.isRetry() + " last="
					+ (retry.getLastFailure() != null ? retry.getLastFailure().getMessage() : null) + " from="
					+ received.length());
			received.append("ab");
			if (retry.getAttempt() < 3) {
				throw new ConnectException("dropped at " + received.length());
			}
			return received.toString();
		});

		assertThat(result).isEqualTo("ababab");
		assertThat(seen).containsExactly("1/3 retry=false last=null from=0", "2/3 retry=true last=dropped at 2 from=2",
				"3/3 retry=true last=dropped at 4 from=4");
		assertThat(RetryContext.find()).isEmpty();
	}

	@Test
	void nestedCallsSeeTheirOwnContext() throws Throwable {
		RetryExecutor outer = executor(network().maxAttempts(2));
		RetryExecutor inner = RetryExecutor.builder("Inner.call", RetryPolicy.builder("inner").maxAttempts(5).build())
			.runtime(RetryRuntime.defaults().withSleeper(this.clock))
			.build();

		String result = outer.get(() -> {
			String innerSeen = inner.get(() -> RetryContext.current().getTarget() + " max "
					+ RetryContext.current().getMaxAttempts());
			return innerSeen + ", then " + RetryContext.current().getTarget() + " max "
					+ RetryContext.current().getMaxAttempts();
		});

		assertThat(result).isEqualTo("Inner.call max 5, then Inventory.fetch max 2");
	}

	@Test
	void contextOutsideACallSaysHowToUseIt() {
		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(RetryContext::current)
			.withMessageContaining("works only inside a method called through @Retryable");
	}

	@Test
	void fallbackAnswersForTheFailuresItHandles() throws Throwable {
		RetryExecutor executor = executor(network());
		Fallback<Object> cached = new Fallback<>() {
			@Override
			public boolean handles(Throwable failure) {
				return failure instanceof ConnectException;
			}

			@Override
			public Object apply(Object context, Throwable failure) {
				return "cached after " + failure.getMessage();
			}
		};

		Object fromFallback = executor.call(null, (c, n) -> {
			throw new ConnectException("refused " + n);
		}, cached);
		Throwable notHandled = catchThrowable(() -> executor.call(null, (c, n) -> {
			throw new IllegalStateException("bug");
		}, cached));

		assertThat(fromFallback).isEqualTo("cached after refused 3");
		assertThat(notHandled).hasMessage("bug");
	}

	@Test
	void retryWrapsTheBreakerAndARejectionIsNeverRetried() {
		CircuitBreaker breaker = new CircuitBreaker(
				CircuitBreakerConfig.builder("inventory").failureThreshold(5).build(), this.clock,
				dev.retry.classify.HttpStatusResolver.NONE, List.of());
		RetryRuntime runtime = RetryRuntime.defaults().withSleeper(this.clock).withTicker(this.clock)
			.withListeners(List.of(this.recorder));
		RetryExecutor executor = RetryExecutor.builder("Inventory.fetch", network().build())
			.runtime(runtime)
			.breaker(breaker)
			.build();
		AtomicInteger reached = new AtomicInteger();
		RetryExecutor.CheckedSupplier<String> down = () -> {
			reached.incrementAndGet();
			throw new ConnectException("refused");
		};

		Throwable first = catchThrowable(() -> executor.get(down));
		Throwable second = catchThrowable(() -> executor.get(down));
		Throwable third = catchThrowable(() -> executor.get(down));

		assertThat(first).isInstanceOf(ConnectException.class);
		assertThat(second).isInstanceOf(CircuitBreakerOpenException.class);
		assertThat(third).isInstanceOf(CircuitBreakerOpenException.class);
		assertThat(reached).as("5 attempts opened the breaker; no later attempt reached the downstream").hasValue(5);
		assertThat(this.events).containsSubsequence("exhausted after 3", "rejected after 2", "rejected after 0");
		assertThat(this.clock.sleeps()).as("no wait for an attempt the open breaker would reject").hasSize(3);
	}

	@Test
	void aFailingListenerNeverFailsTheCall() throws Throwable {
		RetryListener broken = new RetryListener() {
			@Override
			public void onCompleted(CallTarget target, Outcome outcome, int attempts, Throwable failure) {
				throw new IllegalStateException("listener bug");
			}
		};
		RetryExecutor executor = RetryExecutor.builder("A.b", RetryPolicy.builder("p").build())
			.runtime(RetryRuntime.defaults().withSleeper(this.clock).withListeners(List.of(broken)))
			.build();

		assertThat(executor.get(() -> 42)).isEqualTo(42);
	}

	@Test
	void aSynchronousCallAfterAnAsyncCallOnTheSameThreadStillReusesItsPooledContext() throws Throwable {
		RetryExecutor executor = RetryExecutor.builder("Inventory.fetch", RetryPolicy.builder("network").build())
			.runtime(RetryRuntime.defaults().withSleeper(this.clock).withScheduler(this.clock))
			.build();
		RetryContext before = executor.get(RetryContext::current);

		executor.callAsync(null, (context, attempt) -> java.util.concurrent.CompletableFuture
			.completedFuture(RetryContext.current()), null).join();
		RetryContext after = executor.get(RetryContext::current);

		assertThat(after).as("no new context allocated for the synchronous success path").isSameAs(before);
		assertThat(RetryContext.find()).isEmpty();
	}

	@Test
	void aListenerNotObservingFirstAttemptSuccessesHearsEveryOtherOutcome() throws Throwable {
		List<Outcome> heard = new ArrayList<>();
		RetryListener quiet = new RetryListener() {
			@Override
			public boolean observesFirstAttemptSuccess() {
				return false;
			}

			@Override
			public void onCompleted(CallTarget target, Outcome outcome, int attempts, Throwable failure) {
				heard.add(outcome);
			}
		};
		List<Outcome> everything = new ArrayList<>();
		RetryListener loud = new RetryListener() {
			@Override
			public void onCompleted(CallTarget target, Outcome outcome, int attempts, Throwable failure) {
				everything.add(outcome);
			}
		};
		RetryExecutor executor = RetryExecutor.builder("A.b", RetryPolicy.builder("p").maxAttempts(2).build())
			.runtime(RetryRuntime.defaults().withSleeper(this.clock).withListeners(List.of(quiet, loud)))
			.build();
		AtomicInteger calls = new AtomicInteger();

		executor.get(() -> 1);
		executor.get(() -> {
			if (calls.incrementAndGet() == 1) {
				throw new ConnectException("refused");
			}
			return 2;
		});
		assertThatExceptionOfType(ConnectException.class).isThrownBy(() -> executor.get(() -> {
			throw new ConnectException("refused");
		}));

		assertThat(heard).containsExactly(Outcome.SUCCESS_AFTER_RETRY, Outcome.EXHAUSTED);
		assertThat(everything).containsExactly(Outcome.SUCCESS, Outcome.SUCCESS_AFTER_RETRY, Outcome.EXHAUSTED);
	}

	@Test
	void aPooledContextServingAnotherMethodTellsThatMethodAndRefusesUseAfterItsCallEnds() throws Throwable {
		RetryRuntime runtime = RetryRuntime.defaults().withSleeper(this.clock);
		RetryExecutor first = RetryExecutor.builder("A.first", RetryPolicy.builder("p").build())
			.runtime(runtime)
			.build();
		RetryExecutor second = RetryExecutor.builder("A.second", RetryPolicy.builder("p").build())
			.runtime(runtime)
			.build();

		RetryContext kept = first.get(() -> RetryContext.current());
		String seen = second.get(() -> RetryContext.current().getTarget().name());

		assertThat(seen).isEqualTo("A.second");
		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(kept::getTarget)
			.withMessageContaining("after its call ended");
	}

}
