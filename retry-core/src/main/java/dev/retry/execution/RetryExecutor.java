package dev.retry.execution;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.function.DoubleSupplier;

import dev.retry.CircuitBreakerOpenException;
import dev.retry.RetryExhaustedException;
import dev.retry.backoff.Backoff;
import dev.retry.breaker.CircuitBreaker;
import dev.retry.budget.RetryBudget;
import dev.retry.classify.FailureClassifier;
import dev.retry.classify.RetryAfterResolver;
import dev.retry.event.CallTarget;
import dev.retry.event.Outcome;
import dev.retry.event.RetryListener;
import dev.retry.internal.Failures;
import dev.retry.policy.OnExhausted;
import dev.retry.policy.RetryPolicy;
import dev.retry.time.Scheduler;
import dev.retry.time.Sleeper;
import dev.retry.time.Ticker;
import org.jspecify.annotations.Nullable;

/**
 * Runs calls of one method under one policy. Immutable and thread-safe: build one per method, once,
 * and share it. A call whose first attempt succeeds allocates nothing here.
 *
 * <pre>{@code
 * RetryExecutor executor = new RetryExecutor("Inventory.fetch", RetryPolicy.builder("network").build(),
 *         RetryRuntime.defaults());
 * Item item = executor.get(() -> client.fetch(sku));
 * }</pre>
 */
public final class RetryExecutor {

	private final CallTarget target;

	private final RetryPolicy policy;

	private final FailureClassifier classifier;

	private final int maxAttempts;

	private final Backoff backoff;

	private final long maxDurationNanos;

	private final boolean wrap;

	private final Sleeper sleeper;

	private final Scheduler scheduler;

	private final Ticker ticker;

	private final DoubleSupplier random;

	private final RetryListener[] listeners;

	private final @Nullable CircuitBreaker breaker;

	private final @Nullable RetryBudget budget;

	private final @Nullable RetryAfterResolver retryAfter;

	private final long maxDelayNanos;

	/**
	 * @param name the method, as {@code SimpleClassName.method}
	 * @param policy the retry policy
	 * @param classifier decides which failures are retried
	 * @param runtime sleeping, time, randomness and listeners
	 * @param breaker the circuit breaker every attempt passes through, or {@code null}
	 * @param budget the retry budget of the policy, shared by every executor using it, or {@code null}
	 */
	public RetryExecutor(String name, RetryPolicy policy, FailureClassifier classifier, RetryRuntime runtime,
			@Nullable CircuitBreaker breaker, @Nullable RetryBudget budget) {
		this.target = new CallTarget(name, policy.getName());
		this.policy = policy;
		this.classifier = classifier;
		this.maxAttempts = policy.getMaxAttempts();
		this.backoff = policy.getBackoff();
		this.maxDurationNanos = policy.getMaxDuration().toNanos();
		this.wrap = policy.getOnExhausted() == OnExhausted.WRAP;
		this.sleeper = runtime.sleeper();
		this.scheduler = runtime.scheduler();
		this.ticker = runtime.ticker();
		this.random = runtime.random();
		this.listeners = runtime.listeners().stream().map((listener) -> listener.forTarget(this.target))
			.toArray(RetryListener[]::new);
		this.breaker = breaker;
		this.budget = budget;
		this.retryAfter = (policy.isRespectRetryAfter() && runtime.retryAfter() != RetryAfterResolver.NONE)
				? runtime.retryAfter() : null;
		this.maxDelayNanos = policy.getMaxDelay().toNanos();
	}

	/**
	 * An executor with a budget of its own, when the policy sets one.
	 * @param breaker the circuit breaker every attempt passes through, or {@code null}
	 */
	public RetryExecutor(String name, RetryPolicy policy, FailureClassifier classifier, RetryRuntime runtime,
			@Nullable CircuitBreaker breaker) {
		this(name, policy, classifier, runtime, breaker, RetryBudget.of(policy.getBudget(), runtime.ticker()));
	}

	public RetryExecutor(String name, RetryPolicy policy, FailureClassifier classifier, RetryRuntime runtime) {
		this(name, policy, classifier, runtime, null);
	}

	public RetryExecutor(String name, RetryPolicy policy, RetryRuntime runtime) {
		this(name, policy, new FailureClassifier(policy, runtime.statusResolver()), runtime);
	}

	public CallTarget getTarget() {
		return this.target;
	}

	public RetryPolicy getPolicy() {
		return this.policy;
	}

	/** The retry budget this executor draws from, if any. */
	public @Nullable RetryBudget getBudget() {
		return this.budget;
	}

	/** The circuit breaker each attempt passes through, if any. */
	public @Nullable CircuitBreaker getBreaker() {
		return this.breaker;
	}

	/** Runs a call without context or fallback. */
	public <T> T get(CheckedSupplier<T> supplier) throws Throwable {
		return call(supplier, (s, n) -> s.get(), null);
	}

	/**
	 * Runs a call: attempts it, and on a retryable failure waits and attempts again, until it
	 * succeeds, the failure is permanent, or the policy allows no more.
	 * @param context passed to each attempt and to the fallback
	 * @param attempt one attempt of the call
	 * @param fallback answers instead of the final failure, when it handles it; may be {@code null}
	 * @return the result of the first successful attempt, or the fallback's
	 * @throws Throwable the last failure unchanged, or a {@link RetryExhaustedException} with
	 * {@code on-exhausted: wrap}
	 */
	public <C, T> T call(C context, Attempt<C, T> attempt, @Nullable Fallback<? super C> fallback) throws Throwable {
		long start = startTime();
		recordCall();
		RetryContext retryContext = RetryContext.enter(this.target, this.maxAttempts);
		try {
			T result;
			try {
				result = run(context, attempt, 1);
			}
			catch (Throwable failure) {
				return retry(context, attempt, fallback, retryContext, failure, start);
			}
			if (this.listeners.length > 0) {
				completed(Outcome.SUCCESS, 1, null);
			}
			return result;
		}
		finally {
			RetryContext.exit(retryContext);
		}
	}

	/**
	 * Runs an asynchronous call: attempts it, and when the stage it returns fails with a retryable
	 * failure, schedules the next attempt on the runtime's {@link Scheduler}, holding no thread while
	 * waiting. Same policy, breaker, budget, listeners and fallback as {@link #call}.
	 * @param attempt one attempt; it starts the work and returns its stage
	 * @param fallback answers instead of the final failure with a stage of its own; may be {@code null}
	 * @return a future completed with the first successful attempt's value or the fallback's, or
	 * failed with what {@link #call} would throw; cancelling it stops further attempts
	 */
	public <C, T> CompletableFuture<T> callAsync(C context, Attempt<C, ? extends CompletionStage<T>> attempt,
			@Nullable Fallback<? super C> fallback) {
		recordCall();
		AsyncCall<C, T> call = new AsyncCall<>(context, attempt, fallback);
		call.result.whenComplete((value, failure) -> {
			if (call.result.isCancelled()) {
				call.cancelPending();
			}
		});
		call.attempt();
		return call.result;
	}

	private <C, T> T retry(C context, Attempt<C, T> attempt, @Nullable Fallback<? super C> fallback,
			RetryContext retryContext, Throwable firstFailure, long start) throws Throwable {
		Progress call = new Progress(start);
		call.failed(firstFailure, this.wrap);
		while (planRetry(call)) {
			try {
				this.sleeper.sleep(call.delay);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				call.stop(Outcome.NOT_RETRYABLE, call.attempted);
				break;
			}
			call.next(retryContext);
			try {
				T result = run(context, attempt, call.attempted);
				completed(Outcome.SUCCESS_AFTER_RETRY, call.attempted, null);
				return result;
			}
			catch (Throwable next) {
				call.failed(next, this.wrap);
			}
		}
		completed(call.stop, call.attempts, call.failure);
		if (fallback != null && fallback.handles(call.failure)) {
			@SuppressWarnings("unchecked")
			T result = (T) fallback.apply(context, call.failure);
			return result;
		}
		throw finalFailure(call);
	}

	/**
	 * Decides what follows the failed attempt {@code call.attempted}: either another attempt after
	 * {@code call.delay} (listeners are told, and {@code true} is returned), or the end of the call,
	 * with {@code call.stop} saying why. The synchronous, asynchronous and reactive paths all decide
	 * here.
	 */
	boolean planRetry(Progress call) {
		int attempted = call.attempted;
		Throwable failure = call.failure;
		Outcome stop = stopReason(failure, attempted);
		long delay = 0;
		if (stop == null) {
			delay = this.backoff.delayNanos(attempted, call.previousDelay, this.random.getAsDouble());
			if (this.retryAfter != null) {
				delay = honourRetryAfter(failure, delay);
			}
			if (this.maxDurationNanos > 0 && this.ticker.nanoTime() - call.start + delay > this.maxDurationNanos) {
				stop = Outcome.DEADLINE_EXCEEDED;
			}
		}
		if (stop != null) {
			// A rejected attempt was never made.
			call.stop(stop, (stop == Outcome.REJECTED) ? attempted - 1 : attempted);
			return false;
		}
		if (this.breaker != null && this.breaker.staysOpenFor(delay)) {
			// The next attempt would be rejected: do not wait for it.
			call.failure = this.breaker.reject();
			call.stop(Outcome.REJECTED, attempted);
			return false;
		}
		if (this.budget != null && !this.budget.tryAcquireRetry()) {
			call.stop(Outcome.BUDGET_EXHAUSTED, attempted);
			return false;
		}
		retryScheduled(attempted + 1, delay, failure);
		call.delay = delay;
		return true;
	}

	/** What the caller gets when a call ends without a result: the last failure, or it wrapped. */
	Throwable finalFailure(Progress call) {
		if (call.stop == Outcome.EXHAUSTED && this.wrap) {
			RetryExhaustedException exhausted = new RetryExhaustedException(this.target.name(), call.attempts,
					call.failure);
			if (call.earlier != null) {
				call.earlier.forEach(exhausted::addSuppressed);
			}
			return exhausted;
		}
		return call.failure;
	}

	private <C, T> T run(C context, Attempt<C, T> attempt, int number) throws Throwable {
		return (this.breaker != null) ? this.breaker.execute(context, attempt, number) : attempt.run(context, number);
	}

	/** The larger of the computed delay and the wait the failure asks for, capped at max-delay. */
	private long honourRetryAfter(Throwable failure, long delay) {
		Duration asked = RetryAfterResolver.alongCauses(this.retryAfter, failure, this.ticker.wallTime());
		if (asked == null) {
			return delay;
		}
		long askedNanos = (asked.getSeconds() >= Long.MAX_VALUE / 1_000_000_000L) ? Long.MAX_VALUE : asked.toNanos();
		return Math.min(Math.max(askedNanos, delay), this.maxDelayNanos);
	}

	/** Why no further attempt is made after this failure, or {@code null} to go on. */
	private @Nullable Outcome stopReason(Throwable failure, int attempted) {
		if (failure instanceof CircuitBreakerOpenException) {
			return Outcome.REJECTED;
		}
		if (failure instanceof InterruptedException || Thread.currentThread().isInterrupted()) {
			return Outcome.NOT_RETRYABLE;
		}
		if (!this.classifier.isRetryable(failure)) {
			return Outcome.NOT_RETRYABLE;
		}
		if (attempted >= this.maxAttempts) {
			return Outcome.EXHAUSTED;
		}
		return null;
	}

	private void retryScheduled(int nextAttempt, long delayNanos, Throwable failure) {
		if (this.listeners.length == 0) {
			return;
		}
		Duration delay = Duration.ofNanos(delayNanos);
		for (RetryListener listener : this.listeners) {
			try {
				listener.onRetryScheduled(this.target, nextAttempt, this.maxAttempts, delay, failure);
			}
			catch (RuntimeException ex) {
				// A listener never fails the call.
			}
		}
	}

	void completed(Outcome outcome, int attempts, @Nullable Throwable failure) {
		for (RetryListener listener : this.listeners) {
			try {
				listener.onCompleted(this.target, outcome, attempts, failure);
			}
			catch (RuntimeException ex) {
				// A listener never fails the call.
			}
		}
	}

	/** Counts a call against the budget, when there is one. */
	void recordCall() {
		if (this.budget != null) {
			this.budget.recordCall();
		}
	}

	/** Where a deadline counts from: now, or 0 when the policy has no deadline. */
	long startTime() {
		return (this.maxDurationNanos > 0) ? this.ticker.nanoTime() : 0L;
	}

	/** Whether earlier failures are kept, to attach to a {@link RetryExhaustedException}. */
	boolean wraps() {
		return this.wrap;
	}

	Ticker ticker() {
		return this.ticker;
	}

	Scheduler scheduler() {
		return this.scheduler;
	}

	int maxAttempts() {
		return this.maxAttempts;
	}

	/** A call past its first failure (and every asynchronous call): where it stands. */
	static class Progress {

		final long start;

		/** The attempt running or last made: 1 for the first. */
		int attempted = 1;

		long previousDelay;

		/** The wait before the next attempt, once planned. */
		long delay;

		@Nullable Throwable failure;

		/** Earlier failures, kept for {@code on-exhausted: wrap}. */
		@Nullable List<Throwable> earlier;

		@Nullable Outcome stop;

		/** Attempts to report when stopped. */
		int attempts;

		Progress(long start) {
			this.start = start;
		}

		/** The attempt {@code attempted} failed. */
		void failed(Throwable next, boolean keepEarlier) {
			if (keepEarlier && this.failure != null) {
				if (this.earlier == null) {
					this.earlier = new ArrayList<>();
				}
				this.earlier.add(this.failure);
			}
			this.failure = next;
		}

		/** The planned wait is over: the next attempt begins. */
		void next(RetryContext context) {
			this.previousDelay = this.delay;
			this.attempted++;
			context.nextAttempt(this.attempted, this.failure);
		}

		void stop(Outcome outcome, int attempts) {
			this.stop = outcome;
			this.attempts = attempts;
		}

	}

	/**
	 * One asynchronous call. Its steps run one after another, each on the thread that completed the
	 * previous one (or the scheduler's), so its fields need no locking.
	 */
	private final class AsyncCall<C, T> extends Progress {

		final CompletableFuture<T> result = new CompletableFuture<>();

		private final C context;

		private final Attempt<C, ? extends CompletionStage<T>> attempt;

		private final @Nullable Fallback<? super C> fallback;

		private final RetryContext retryContext = RetryContext.detached(RetryExecutor.this.target,
				RetryExecutor.this.maxAttempts);

		/** The running attempt's future or the scheduled next attempt, to cancel with the call. */
		private volatile @Nullable Future<?> pending;

		AsyncCall(C context, Attempt<C, ? extends CompletionStage<T>> attempt, @Nullable Fallback<? super C> fallback) {
			super(startTime());
			this.context = context;
			this.attempt = attempt;
			this.fallback = fallback;
		}

		void attempt() {
			if (this.result.isDone()) {
				return;
			}
			int number = this.attempted;
			CompletionStage<T> stage;
			RetryContext.resume(this.retryContext);
			try {
				stage = (RetryExecutor.this.breaker != null)
						? RetryExecutor.this.breaker.executeAsync(this.context, this.attempt, number)
						: Attempt.start(this.attempt, this.context, number);
			}
			finally {
				RetryContext.leave();
			}
			this.pending = (stage instanceof Future<?> future) ? future : null;
			if (this.result.isDone()) {
				cancelPending();
				return;
			}
			stage.whenComplete(this::attempted);
		}

		private void attempted(@Nullable T value, @Nullable Throwable error) {
			if (this.result.isDone()) {
				return;
			}
			RetryContext.resume(this.retryContext);
			try {
				if (error == null) {
					completed((this.attempted == 1) ? Outcome.SUCCESS : Outcome.SUCCESS_AFTER_RETRY, this.attempted, null);
					this.retryContext.end();
					this.result.complete(value);
					return;
				}
				failed(Failures.unwrap(error), RetryExecutor.this.wrap);
				if (planRetry(this)) {
					this.pending = RetryExecutor.this.scheduler.schedule(this::nextAttempt, this.delay);
					if (this.result.isDone()) {
						cancelPending();
					}
					return;
				}
				completed(this.stop, this.attempts, this.failure);
				finish();
			}
			finally {
				RetryContext.leave();
			}
		}

		private void nextAttempt() {
			next(this.retryContext);
			attempt();
		}

		private void finish() {
			Throwable failure = this.failure;
			if (this.fallback != null && this.fallback.handles(failure)) {
				this.fallback.<T>applyAsync(this.context, failure).whenComplete((value, error) -> {
					if (error != null) {
						this.result.completeExceptionally(Failures.unwrap(error));
					}
					else {
						this.result.complete(value);
					}
				});
			}
			else {
				this.result.completeExceptionally(finalFailure(this));
			}
			this.retryContext.end();
		}

		void cancelPending() {
			Future<?> pending = this.pending;
			if (pending != null) {
				pending.cancel(false);
			}
		}

	}

	/** A call that may throw anything. */
	@FunctionalInterface
	public interface CheckedSupplier<T> {

		T get() throws Throwable;

	}

}
