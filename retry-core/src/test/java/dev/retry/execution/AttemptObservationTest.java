package dev.retry.execution;

import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.AttemptTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * How each attempt's observation ({@code retry.attempt}, its {@code result}) ends: as the retry
 * saw the attempt end, like the {@code retry.attempts} meter, for every call style: {@code timeout}
 * when its attempt-timeout fired, {@code rejected_result} when {@code retryOnResult} rejected its
 * answer, {@code cancelled} when a hedge lost or the caller gave up.
 */
class AttemptObservationTest {

	private final TimedCalls calls = new TimedCalls();

	@AfterEach
	void close() {
		this.calls.close();
	}

	@Test
	void aSynchronousAttemptThatTimedOutIsObservedAsTimeout() {
		RetryExecutor executor = this.calls
			.executor(TimedCalls.policy().maxAttempts(1).attemptTimeout(Duration.ofMillis(100)));

		Throwable thrown = catchThrowable(() -> executor.get(() -> {
			new CountDownLatch(1).await();
			return "never";
		}));

		assertThat(thrown).isInstanceOf(AttemptTimeoutException.class);
		assertThat(this.calls.attemptResults).containsExactly("timeout");
	}

	@Test
	void aFutureAttemptThatTimedOutIsObservedAsTimeout() {
		RetryExecutor executor = this.calls
			.executor(TimedCalls.policy().maxAttempts(1).attemptTimeout(Duration.ofMillis(100)));

		CompletableFuture<String> call = executor.callAsync(null, (context, attempt) -> new CompletableFuture<String>(),
				null);

		assertThat(catchThrowable(() -> call.get(2, TimeUnit.SECONDS))).hasCauseInstanceOf(AttemptTimeoutException.class);
		assertThat(this.calls.attemptResults).containsExactly("timeout");
	}

	@Test
	void aMonoAttemptThatTimedOutIsObservedAsTimeout() {
		RetryExecutor executor = this.calls
			.executor(TimedCalls.policy().maxAttempts(1).attemptTimeout(Duration.ofMillis(100)));

		Throwable thrown = catchThrowable(
				() -> ReactiveRetry.mono(executor, Mono.<String>never(), null, null).block(Duration.ofSeconds(2)));

		assertThat(thrown).isInstanceOf(AttemptTimeoutException.class);
		assertThat(this.calls.attemptResults).containsExactly("timeout");
	}

	@Test
	void aFluxAttemptWhoseFirstElementNeverCameIsTimedOutAndObservedAsTimeout() {
		RetryExecutor executor = this.calls
			.executor(TimedCalls.policy().maxAttempts(2).attemptTimeout(Duration.ofMillis(100)));
		AtomicInteger subscriptions = new AtomicInteger();
		reactor.core.publisher.Flux<Integer> source = reactor.core.publisher.Flux.defer(() -> {
			subscriptions.incrementAndGet();
			return reactor.core.publisher.Flux.never();
		});

		Throwable thrown = catchThrowable(
				() -> ReactiveRetry.flux(executor, source, null, null).collectList().block(Duration.ofSeconds(3)));

		assertThat(thrown).isInstanceOf(AttemptTimeoutException.class);
		assertThat(subscriptions).as("the attempt and its retry").hasValue(2);
		assertThat(this.calls.attemptResults).containsExactly("timeout", "timeout");
	}

	@Test
	void aFluxThatStartedStreamingInTimeIsNotTimedOutWhileTheRestComesSlowly() {
		RetryExecutor executor = this.calls
			.executor(TimedCalls.policy().maxAttempts(2).attemptTimeout(Duration.ofMillis(100)));
		AtomicInteger subscriptions = new AtomicInteger();
		reactor.core.publisher.Flux<Integer> source = reactor.core.publisher.Flux.defer(() -> {
			subscriptions.incrementAndGet();
			return reactor.core.publisher.Flux.concat(reactor.core.publisher.Flux.just(1),
					reactor.core.publisher.Flux.just(2, 3).delayElements(Duration.ofMillis(150)));
		});

		java.util.List<Integer> elements = ReactiveRetry.flux(executor, source, null, null)
			.collectList()
			.block(Duration.ofSeconds(3));

		assertThat(elements).containsExactly(1, 2, 3);
		assertThat(subscriptions).hasValue(1);
		org.awaitility.Awaitility.await()
			.atMost(Duration.ofSeconds(2))
			.untilAsserted(() -> assertThat(this.calls.attemptResults).containsExactly("success"));
	}

	@Test
	void anAttemptWhoseResultWasRejectedIsObservedAsRejectedResult() throws Throwable {
		RetryExecutor executor = this.calls.executor(TimedCalls.policy().maxAttempts(3), this.calls.runtime(),
				"PENDING"::equals);
		AtomicInteger calls = new AtomicInteger();

		String status = executor.get(() -> (calls.incrementAndGet() == 1) ? "PENDING" : "DONE");

		assertThat(status).isEqualTo("DONE");
		assertThat(this.calls.attemptResults).containsExactly("rejected_result", "success");
	}

	@Test
	void aFutureWhoseValueWasRejectedIsObservedAsRejectedResult() throws Exception {
		RetryExecutor executor = this.calls.executor(TimedCalls.policy().maxAttempts(3), this.calls.runtime(),
				"PENDING"::equals);
		AtomicInteger calls = new AtomicInteger();

		CompletableFuture<String> call = executor.callAsync(null, (context, attempt) -> CompletableFuture
			.completedFuture((calls.incrementAndGet() == 1) ? "PENDING" : "DONE"), null);

		assertThat(call.get(2, TimeUnit.SECONDS)).isEqualTo("DONE");
		assertThat(this.calls.attemptResults).containsExactly("rejected_result", "success");
	}

	@Test
	void aMonoWhoseValueWasRejectedIsObservedAsRejectedResult() {
		RetryExecutor executor = this.calls.executor(TimedCalls.policy().maxAttempts(3), this.calls.runtime(),
				"PENDING"::equals);
		AtomicInteger calls = new AtomicInteger();
		Mono<String> source = Mono.fromSupplier(() -> (calls.incrementAndGet() == 1) ? "PENDING" : "DONE");

		assertThat(ReactiveRetry.mono(executor, source, null, null).block(Duration.ofSeconds(2))).isEqualTo("DONE");
		assertThat(this.calls.attemptResults).containsExactly("rejected_result", "success");
	}

	@Test
	void aTimedOutAttemptIsRetriedAndTheRetryObservedOnItsOwn() throws Exception {
		RetryExecutor executor = this.calls
			.executor(TimedCalls.policy().maxAttempts(3).attemptTimeout(Duration.ofMillis(100)));
		AtomicInteger calls = new AtomicInteger();

		CompletableFuture<String> call = executor.callAsync(null,
				(context, attempt) -> switch (calls.incrementAndGet()) {
					case 1 -> new CompletableFuture<String>();
					case 2 -> CompletableFuture.failedFuture(new ConnectException("refused"));
					default -> CompletableFuture.completedFuture("ok");
				}, null);

		assertThat(call.get(2, TimeUnit.SECONDS)).isEqualTo("ok");
		assertThat(this.calls.attemptResults).containsExactly("timeout", "failure", "success");
	}

	@Test
	void eachRunOfAHedgedAttemptIsObservedTheLoserAsCancelled() throws Exception {
		RetryExecutor executor = this.calls.executor(TimedCalls.policy().hedgeDelay(Duration.ofMillis(50)).maxHedges(1));
		AtomicInteger runners = new AtomicInteger();

		CompletableFuture<String> call = executor.callAsync(null,
				(context, attempt) -> (runners.incrementAndGet() == 1) ? new CompletableFuture<String>()
						: CompletableFuture.completedFuture("from the hedge"),
				null);

		assertThat(call.get(2, TimeUnit.SECONDS)).isEqualTo("from the hedge");
		assertThat(this.calls.attemptResults).containsExactlyInAnyOrder("success", "cancelled");
	}

	@Test
	void aMinimalStageEndsItsObservationWhenTheCallerGivesUp() {
		RetryExecutor executor = this.calls.executor(TimedCalls.policy());
		CompletionStage<String> pending = new CompletableFuture<String>().minimalCompletionStage();

		CompletableFuture<String> call = executor.callAsync(null, (context, attempt) -> pending, null);
		call.cancel(true);

		assertThat(this.calls.attemptResults).containsExactly("cancelled");
	}

	@Test
	void aStageThatIsNotACompletableFutureEndsItsObservationWhenTheCallerGivesUp() {
		RetryExecutor executor = this.calls.executor(TimedCalls.policy());
		CompletionStage<String> pending = foreignStage(new CompletableFuture<>());

		CompletableFuture<String> call = executor.callAsync(null, (context, attempt) -> pending, null);
		call.cancel(true);

		// The method's own stage never completes: the attempt still ends, where the call cancelled it.
		assertThat(this.calls.attemptResults).containsExactly("cancelled");
	}

	@Test
	void aStageThatIsNotACompletableFutureEndsItsObservationWhenItTimesOut() {
		RetryExecutor executor = this.calls
			.executor(TimedCalls.policy().maxAttempts(1).attemptTimeout(Duration.ofMillis(100)));
		CompletionStage<String> pending = foreignStage(new CompletableFuture<>());

		CompletableFuture<String> call = executor.callAsync(null, (context, attempt) -> pending, null);

		assertThat(catchThrowable(() -> call.get(2, TimeUnit.SECONDS))).hasCauseInstanceOf(AttemptTimeoutException.class);
		assertThat(this.calls.attemptResults).containsExactly("timeout");
	}

	@Test
	void theMeterAndTheObservationNameEachAttemptAlike() throws Throwable {
		java.util.List<String> metered = new java.util.concurrent.CopyOnWriteArrayList<>();
		dev.retry.event.RetryListener meter = new dev.retry.event.RetryListener() {
			@Override
			public void onAttemptFailed(dev.retry.event.CallTarget target, int attempt, Throwable failure) {
				metered.add(dev.retry.event.AttemptResult.of(failure).tag());
			}
		};
		RetryExecutor executor = this.calls.executor(
				TimedCalls.policy().maxAttempts(4).attemptTimeout(Duration.ofMillis(100)),
				this.calls.runtime().withListeners(java.util.List.of(meter)), "PENDING"::equals);
		AtomicInteger calls = new AtomicInteger();

		String answer = executor.get(() -> switch (calls.incrementAndGet()) {
			case 1 -> {
				new CountDownLatch(1).await();
				yield "never";
			}
			case 2 -> throw new ConnectException("refused");
			case 3 -> "PENDING";
			default -> "DONE";
		});

		assertThat(answer).isEqualTo("DONE");
		assertThat(metered).containsExactly("timeout", "failure", "rejected_result");
		assertThat(this.calls.attemptResults).containsExactly("timeout", "failure", "rejected_result", "success");
	}

	/**
	 * A stage of another library: neither a {@code CompletableFuture} nor a {@code Future}, so
	 * nobody outside can cancel or complete it; here it answers as {@code source} does.
	 */
	@SuppressWarnings("unchecked")
	static <T> CompletionStage<T> foreignStage(CompletableFuture<T> source) {
		CompletionStage<T> minimal = source.minimalCompletionStage();
		return (CompletionStage<T>) java.lang.reflect.Proxy.newProxyInstance(CompletionStage.class.getClassLoader(),
				new Class<?>[] { CompletionStage.class }, (proxy, method, arguments) -> {
					if (method.getDeclaringClass() == Object.class) {
						return switch (method.getName()) {
							case "equals" -> proxy == arguments[0];
							case "hashCode" -> System.identityHashCode(proxy);
							default -> "foreign stage";
						};
					}
					try {
						return method.invoke(minimal, arguments);
					}
					catch (java.lang.reflect.InvocationTargetException ex) {
						throw ex.getCause();
					}
				});
	}

}
