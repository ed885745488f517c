package dev.retry.execution;

import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.AttemptTimeoutException;
import dev.retry.time.DaemonScheduler;
import dev.retry.time.Scheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * The watchdog (attempt timeouts, hedge delays) closing with its application, as calls run: a
 * closed watchdog refuses new timers and runs its waiting ones at once. Calls still run and end;
 * an attempt is timed out at its time, never early, never not at all; no hedge starts.
 */
class WatchdogShutdownTest {

	private final TimedCalls calls = new TimedCalls();

	@AfterEach
	void close() {
		this.calls.close();
	}

	@Test
	void aFutureCallWithAnAttemptTimeoutReturnsItsFutureOnceTheWatchdogIsClosed() throws Exception {
		this.calls.watchdog.close();
		RetryExecutor executor = this.calls.executor(TimedCalls.policy().attemptTimeout(Duration.ofSeconds(1)));
		AtomicInteger invoked = new AtomicInteger();

		CompletableFuture<String>[] call = new CompletableFuture[1];
		assertThatCode(() -> call[0] = executor.callAsync(null, (context, attempt) -> {
			invoked.incrementAndGet();
			return CompletableFuture.supplyAsync(() -> "answered",
					CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS));
		}, null)).as("callAsync must return a future (it 'always completes'), not throw").doesNotThrowAnyException();
		assertThat(call[0].get(2, TimeUnit.SECONDS)).isEqualTo("answered");
		assertThat(invoked).hasValue(1);
	}

	@Test
	void aSynchronousCallWithAnAttemptTimeoutStillRunsOnceTheWatchdogIsClosed() throws Throwable {
		this.calls.watchdog.close();
		RetryExecutor executor = this.calls.executor(TimedCalls.policy().attemptTimeout(Duration.ofSeconds(1)));
		AtomicInteger invoked = new AtomicInteger();

		Throwable thrown = catchThrowable(() -> executor.get(() -> {
			invoked.incrementAndGet();
			return "ok";
		}));

		// Without attempt-timeout the same call runs; with it, the method is never invoked.
		assertThat(thrown).isNull();
		assertThat(invoked).hasValue(1);
	}

	@Test
	void closingTheWatchdogDoesNotTimeOutARunningAttemptThatIsWithinItsTimeout() {
		RetryExecutor executor = this.calls
			.executor(TimedCalls.policy().maxAttempts(1).attemptTimeout(Duration.ofSeconds(5)));
		// The application context closes while the attempt runs (DaemonScheduler.close runs every
		// queued task at once, the attempt's watchdog timer included).
		CountDownLatch closed = new CountDownLatch(1);
		CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS).execute(() -> {
			this.calls.watchdog.close();
			closed.countDown();
		});

		// The attempt is still running when the watchdog closes, and answers only after it has.
		Throwable thrown = catchThrowable(() -> assertThat(executor.get(() -> {
			assertThat(closed.await(5, TimeUnit.SECONDS)).isTrue();
			return "ok";
		})).isEqualTo("ok"));

		// It did not run for 5 s: it must not end as "Attempt timed out after 5s".
		assertThat(thrown).isNull();
	}

	@Test
	void aSynchronousAttemptStillHangingAfterTheWatchdogClosedIsTimedOutAtItsTime() {
		RetryExecutor executor = this.calls
			.executor(TimedCalls.policy().maxAttempts(1).attemptTimeout(Duration.ofMillis(400)));
		CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS).execute(this.calls.watchdog::close);
		long start = System.nanoTime();

		Throwable thrown = catchThrowable(() -> executor.get(() -> {
			new CountDownLatch(1).await();
			return "never";
		}));

		Duration took = Duration.ofNanos(System.nanoTime() - start);
		assertThat(thrown).isInstanceOf(AttemptTimeoutException.class);
		assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(400)).isLessThan(Duration.ofSeconds(3));
		assertThat(Thread.currentThread().isInterrupted()).isFalse();
	}

	@Test
	void aFutureAttemptStillPendingAfterTheWatchdogClosedIsTimedOutAtItsTime() {
		RetryExecutor executor = this.calls
			.executor(TimedCalls.policy().maxAttempts(1).attemptTimeout(Duration.ofMillis(400)));
		long start = System.nanoTime();

		CompletableFuture<String> call = executor.callAsync(null, (context, attempt) -> new CompletableFuture<String>(),
				null);
		CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS).execute(this.calls.watchdog::close);

		Throwable thrown = catchThrowable(() -> call.get(3, TimeUnit.SECONDS));
		Duration took = Duration.ofNanos(System.nanoTime() - start);
		assertThat(thrown).hasCauseInstanceOf(AttemptTimeoutException.class);
		assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(400));
		assertThat(this.calls.attemptResults).containsExactly("timeout");
	}

	@Test
	void aMonoAttemptStillPendingAfterTheWatchdogClosedIsTimedOutAtItsTime() {
		RetryExecutor executor = this.calls
			.executor(TimedCalls.policy().maxAttempts(1).attemptTimeout(Duration.ofMillis(400)));
		long start = System.nanoTime();

		CompletableFuture<String> call = ReactiveRetry.mono(executor, Mono.<String>never(), null, null).toFuture();
		CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS).execute(this.calls.watchdog::close);

		Throwable thrown = catchThrowable(() -> call.get(3, TimeUnit.SECONDS));
		Duration took = Duration.ofNanos(System.nanoTime() - start);
		assertThat(thrown).hasCauseInstanceOf(AttemptTimeoutException.class);
		assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(400));
	}

	@Test
	void aMonoStartedOnceTheWatchdogIsClosedIsStillTimedOut() {
		this.calls.watchdog.close();
		RetryExecutor executor = this.calls
			.executor(TimedCalls.policy().maxAttempts(1).attemptTimeout(Duration.ofMillis(100)));

		Throwable thrown = catchThrowable(
				() -> ReactiveRetry.mono(executor, Mono.<String>never(), null, null).block(Duration.ofSeconds(3)));

		assertThat(thrown).isInstanceOf(AttemptTimeoutException.class);
	}

	@Test
	void aMonoAnsweringWithinItsTimeoutIsNotTimedOutWhenTheWatchdogCloses() {
		RetryExecutor executor = this.calls
			.executor(TimedCalls.policy().maxAttempts(1).attemptTimeout(Duration.ofSeconds(5)));
		Mono<String> slow = Mono.just("answered").delayElement(Duration.ofMillis(300));
		CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS).execute(this.calls.watchdog::close);

		assertThat(ReactiveRetry.mono(executor, slow, null, null).block(Duration.ofSeconds(3))).isEqualTo("answered");
	}

	/**
	 * The retry scheduler runs a due retry while the application closes: the retry starts (its
	 * scheduler was open a moment ago) and its timeout timer is refused. The call must still end.
	 */
	@Test
	void aRetryStartedAsTheWatchdogClosesStillEnds() throws Exception {
		Scheduler closing = (task, delayNanos) -> {
			throw new RejectedExecutionException("the retry scheduler is closed");
		};
		try (DaemonScheduler retries = new DaemonScheduler(1)) {
			RetryExecutor executor = this.calls.executor(
					TimedCalls.policy().maxAttempts(2).attemptTimeout(Duration.ofSeconds(1)),
					this.calls.runtime().withScheduler(retries).withWatchdog(closing), null);
			AtomicInteger attempts = new AtomicInteger();

			CompletableFuture<String> call = executor.callAsync(null,
					(context, attempt) -> (attempts.incrementAndGet() == 1)
							? CompletableFuture.failedFuture(new ConnectException("refused"))
							: CompletableFuture.supplyAsync(() -> "answered",
									CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS)),
					null);

			assertThat(call.get(2, TimeUnit.SECONDS)).isEqualTo("answered");
			assertThat(attempts).hasValue(2);
		}
	}

	@Test
	void closingTheWatchdogStartsNoHedge() throws Exception {
		RetryExecutor executor = this.calls.executor(TimedCalls.policy().hedgeDelay(Duration.ofSeconds(2)).maxHedges(2));
		AtomicInteger runners = new AtomicInteger();
		CompletableFuture<String> first = new CompletableFuture<>();

		CompletableFuture<String> call = executor.callAsync(null,
				(context, attempt) -> (runners.incrementAndGet() == 1) ? first : new CompletableFuture<>(), null);
		this.calls.watchdog.close();

		assertThat(runners).as("runners started at shutdown").hasValue(1);
		assertThat(call).isNotDone();
		first.complete("answered");
		assertThat(call.get(2, TimeUnit.SECONDS)).isEqualTo("answered");
		assertThat(this.calls.events).containsExactly("success after 1");
	}

	@Test
	void closingTheWatchdogStartsNoReactiveHedge() {
		RetryExecutor executor = this.calls.executor(TimedCalls.policy().hedgeDelay(Duration.ofSeconds(2)).maxHedges(2));
		AtomicInteger subscriptions = new AtomicInteger();
		CompletableFuture<String> first = new CompletableFuture<>();
		Mono<String> source = Mono.defer(() -> (subscriptions.incrementAndGet() == 1) ? Mono.fromFuture(first)
				: Mono.never());

		CompletableFuture<String> call = ReactiveRetry.mono(executor, source, null, null).toFuture();
		await().atMost(Duration.ofSeconds(2)).until(() -> subscriptions.get() == 1);
		this.calls.watchdog.close();

		assertThat(subscriptions).as("subscriptions at shutdown").hasValue(1);
		first.complete("answered");
		assertThat(call).succeedsWithin(Duration.ofSeconds(2)).isEqualTo("answered");
		this.calls.awaitEvents("success after 1");
	}

}
