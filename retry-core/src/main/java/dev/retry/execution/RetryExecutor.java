package dev.retry.execution;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import java.util.function.DoubleSupplier;

import dev.retry.CircuitBreakerOpenException;
import dev.retry.RejectedResultException;
import dev.retry.RetryExhaustedException;
import dev.retry.backoff.Backoff;
import dev.retry.breaker.CircuitBreaker;
import dev.retry.budget.RetryBudget;
import dev.retry.classify.FailureClassifier;
import dev.retry.classify.RetryAfterResolver;
import dev.retry.event.CallObserver;
import dev.retry.event.CallTarget;
import dev.retry.event.Outcome;
import dev.retry.event.RetryListener;
import dev.retry.internal.CallerFuture;
import dev.retry.internal.Failures;
import dev.retry.internal.LoggedOnce;
import dev.retry.internal.StageFuture;
import dev.retry.policy.OnExhausted;
import dev.retry.policy.RetryPolicy;
import dev.retry.time.Scheduler;
import dev.retry.time.Sleeper;
import dev.retry.time.Ticker;
import org.jspecify.annotations.Nullable;

/**
 * Runs calls of one method under one policy. Immutable and thread-safe: build one per method, once,
 * and share it. A call whose first attempt succeeds allocates nothing here. Synchronous,
 * asynchronous and reactive calls decide what follows a failure in one place ({@code planRetry})
 * and end in one place ({@code end}): listeners, the failure the caller gets, the fallback.
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

	/** The listeners that want calls succeeding at their first attempt: often none, then a success tells no one. */
	private final RetryListener[] firstSuccessListeners;

	private final @Nullable CircuitBreaker breaker;

	private final @Nullable RetryBudget budget;

	private final @Nullable RetryAfterResolver retryAfter;

	private final long maxDelayNanos;

	/** False for a breaker alone: one attempt, no retry context, no listeners. */
	private final boolean retries;

	/**
	 * The stages each attempt passes through (hedge, breaker, observation, result check, timeout),
	 * or {@code null}: the call alone.
	 */
	private final @Nullable AttemptStage chain;

	/** Follows calls and attempts as they run from their start (tracing), or {@code null}. */
	private final @Nullable CallObserver observer;

	/**
	 * Offered each call it did not follow from its start, when the call is about to retry (the
	 * logging fields of each retry), or {@code null}.
	 */
	private final @Nullable CallObserver retryObserver;

	private final LoggedOnce listenerFailure = new LoggedOnce("A RetryListener threw; the call goes on");

	private final LoggedOnce resolverFailure = new LoggedOnce("A RetryAfterResolver threw; treated as no hint");

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
		this(name, policy, classifier, runtime, breaker, budget, null, true);
	}

	/**
	 * @param retryOnResult results retried as if the attempt had failed (with a
	 * {@link RejectedResultException}), or {@code null}; the circuit breaker counts them as
	 * successes: the downstream answered
	 */
	public RetryExecutor(String name, RetryPolicy policy, FailureClassifier classifier, RetryRuntime runtime,
			@Nullable CircuitBreaker breaker, @Nullable RetryBudget budget, @Nullable Predicate<Object> retryOnResult) {
		this(name, policy, classifier, runtime, breaker, budget, retryOnResult, true);
	}

	private RetryExecutor(String name, RetryPolicy policy, FailureClassifier classifier, RetryRuntime runtime,
			@Nullable CircuitBreaker breaker, @Nullable RetryBudget budget, @Nullable Predicate<Object> retryOnResult,
			boolean retries) {
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
		this.listeners = retries ? runtime.listeners().stream().map((listener) -> listener.forTarget(this.target))
			.toArray(RetryListener[]::new) : new RetryListener[0];
		this.firstSuccessListeners = Arrays.stream(this.listeners)
			.filter(RetryListener::observesFirstAttemptSuccess)
			.toArray(RetryListener[]::new);
		this.breaker = breaker;
		this.budget = budget;
		this.retryAfter = (policy.isRespectRetryAfter() && runtime.retryAfter() != RetryAfterResolver.NONE)
				? runtime.retryAfter() : null;
		this.maxDelayNanos = policy.getMaxDelay().toNanos();
		this.retries = retries;
		CallObserver guarded = GuardedObserver.of(runtime.observer());
		CallObserver observer = (guarded != null) ? guarded.forTarget(this.target) : null;
		this.observer = (observer != null && observer.followsEveryCall()) ? observer : null;
		this.retryObserver = (retries && this.maxAttempts > 1) ? observer : null;
		// The attempts of a call followed from its start, or from its first retry on, are observed in the chain.
		this.chain = chain(policy, breaker, budget, runtime.watchdog(), retryOnResult,
				(this.observer != null || this.retryObserver != null) ? observer : null);
	}

	/**
	 * The one place the stages of an attempt are put together, outermost first: hedging, the
	 * breaker, the observation, the result check, the attempt timeout, then the call. The timeout
	 * is inside the breaker, so that a timed-out attempt counts as a failure of the downstream, and
	 * a rejected attempt starts no timer. The observation is inside the breaker (a rejected attempt
	 * was never made) and outside what decides how an attempt ended (its timeout, its result), so
	 * that each run is observed as the retry sees it. A new stage (a bulkhead, say) is one class
	 * and one line here.
	 */
	private @Nullable AttemptStage chain(RetryPolicy policy, @Nullable CircuitBreaker breaker,
			@Nullable RetryBudget budget, Scheduler watchdog, @Nullable Predicate<Object> retryOnResult,
			@Nullable CallObserver observer) {
		AttemptStage chain = null;
		if (!policy.getAttemptTimeout().isZero()) {
			chain = new TimeoutStage(policy.getAttemptTimeout(), watchdog, chain);
		}
		if (retryOnResult != null) {
			chain = new ResultStage(retryOnResult, this.target, chain);
		}
		if (observer != null) {
			chain = new ObservationStage(observer, chain);
		}
		if (breaker != null) {
			chain = new BreakerStage(breaker, chain);
		}
		if (!policy.getHedgeDelay().isZero()) {
			chain = new HedgeStage(policy.getHedgeDelay(), policy.getMaxHedges(), watchdog, budget, this::hedgeEnded,
					chain);
		}
		return chain;
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

	/**
	 * An executor that makes one attempt through a breaker and never retries: a method with a
	 * circuit breaker alone. It ends calls exactly as a retrying executor does (fallback,
	 * cancellation, shutdown), but has no retry context and tells no retry listener.
	 * @param name the method, as {@code SimpleClassName.method}
	 */
	public static RetryExecutor breakerOnly(String name, CircuitBreaker breaker, RetryRuntime runtime) {
		RetryPolicy once = RetryPolicy.builder(breaker.getName()).maxAttempts(1).build();
		return new RetryExecutor(name, once, new FailureClassifier(once, runtime.statusResolver()), runtime, breaker,
				null, null, false);
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

	/**
	 * What runs around each call, outermost first, as the endpoint shows it: {@code retry(network)}
	 * (unless a breaker alone), then each stage, such as {@code circuitBreaker(inventory)}.
	 */
	public List<String> describeStages() {
		List<String> stages = new java.util.ArrayList<>();
		if (this.retries) {
			stages.add("retry(" + this.policy.getName() + ")");
		}
		for (AttemptStage stage = this.chain; stage != null; stage = stage.next()) {
			if (stage.isShown()) {
				stages.add(stage.toString());
			}
		}
		return List.copyOf(stages);
	}

	/** The outermost stage each attempt passes through, or {@code null} when attempts are the call alone. */
	public @Nullable AttemptStage getChain() {
		return this.chain;
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
	 * {@code on-exhausted: wrap}; when the last attempt's result was rejected, that result is
	 * returned under {@code rethrow}
	 */
	public <C, T> T call(C context, Attempt<C, T> attempt, @Nullable Fallback<? super C> fallback) throws Throwable {
		CallObserver observer = this.observer;
		return (observer != null) ? observedCall(observer, context, attempt, fallback)
				: call(context, attempt, fallback, null);
	}

	/**
	 * A call followed by the observer: each attempt is current while it runs, and the call itself
	 * from its first failure on (its waits, its retries, its fallback). A call that succeeds at once
	 * needs no scope of its own: its attempt's is enough, and with a tracer a scope is a good share
	 * of what the call costs.
	 */
	private <C, T> T observedCall(CallObserver observer, C context, Attempt<C, T> attempt,
			@Nullable Fallback<? super C> fallback) throws Throwable {
		CallObserver.Call observed = observer.start(this.target, null);
		if (observed == null) {
			return call(context, attempt, fallback, null);
		}
		return call(context, new ObservedAttempt<>(observed, attempt), fallback, observed);
	}

	private <C, T> T call(C context, Attempt<C, T> attempt, @Nullable Fallback<? super C> fallback,
			CallObserver.@Nullable Call observed) throws Throwable {
		long start = startTime();
		recordCall();
		if (!this.retries) {
			T result;
			try {
				result = run(context, attempt, 1);
			}
			catch (Throwable failure) {
				return retry(context, attempt, fallback, null, failure, start, observed);
			}
			if (observed != null) {
				observed.end(Outcome.SUCCESS, 1, null);
			}
			return result;
		}
		RetryContext retryContext = RetryContext.enter(this.target, this.maxAttempts);
		try {
			T result;
			try {
				result = run(context, attempt, 1);
			}
			catch (Throwable failure) {
				return retry(context, attempt, fallback, retryContext, failure, start, observed);
			}
			if (this.firstSuccessListeners.length > 0) {
				completed(Outcome.SUCCESS, 1, null);
			}
			if (observed != null) {
				observed.end(Outcome.SUCCESS, 1, null);
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
	 * failed with what {@link #call} would throw. It always completes: when the scheduler closes,
	 * a waiting call ends at once with its last failure. Cancelling it, or completing it from
	 * outside ({@code orTimeout}), stops the call: the running attempt's future (or the fallback's)
	 * is cancelled, a scheduled attempt never runs, and listeners hear
	 * {@link RetryListener#onCancelled}.
	 */
	public <C, T> CompletableFuture<T> callAsync(C context, Attempt<C, ? extends CompletionStage<T>> attempt,
			@Nullable Fallback<? super C> fallback) {
		recordCall();
		AsyncCall<C, T> call = new AsyncCall<>(context, attempt, fallback);
		call.attempt();
		return call.result;
	}

	private <C, T> T retry(C context, Attempt<C, T> attempt, @Nullable Fallback<? super C> fallback,
			@Nullable RetryContext retryContext, Throwable firstFailure, long start,
			CallObserver.@Nullable Call observed) throws Throwable {
		Progress call = new Progress(start);
		call.observed = observed;
		// From its first failure on, the call is current: its retries' log lines, waits and fallback are in it.
		CallObserver.@Nullable Scope current = (observed != null) ? observed.open() : null;
		try {
			attemptFailed(call, firstFailure);
			while (planRetry(call)) {
				if (observed == null && call.observed != null) {
					// Followed from its first retry on: the rest of the call is current, each attempt followed.
					observed = call.observed;
					current = observed.open();
					attempt = new ObservedAttempt<>(observed, attempt);
				}
				try {
					this.sleeper.sleep(call.delay);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					call.stop(Outcome.NOT_RETRYABLE, call.attempted);
					break;
				}
				if (this.scheduler.isClosed()) {
					// The application is shutting down: the call ends now with its last failure.
					call.stop(Outcome.NOT_RETRYABLE, call.attempted);
					break;
				}
				call.next(retryContext);
				T result;
				try {
					result = run(context, attempt, call.attempted);
				}
				catch (Throwable next) {
					attemptFailed(call, next);
					continue;
				}
				completed(call, Outcome.SUCCESS_AFTER_RETRY, call.attempted, null);
				return result;
			}
			Throwable thrown = end(call, fallback);
			if (thrown instanceof RejectedResultException rejected) {
				// rethrow: the caller gets the last result as it is.
				@SuppressWarnings("unchecked")
				T last = (T) rejected.getResult();
				return last;
			}
			if (thrown != null) {
				throw thrown;
			}
			@SuppressWarnings("unchecked")
			T result = (T) fallback.apply(context, call.failure);
			return result;
		}
		finally {
			if (call.failure instanceof InterruptedException) {
				// An interrupted attempt leaves the caller interrupted, whatever answered for it.
				Thread.currentThread().interrupt();
			}
			if (current != null) {
				current.close();
			}
		}
	}

	/**
	 * Decides what follows the failed attempt {@code call.attempted}: either another attempt after
	 * {@code call.delay} (listeners are told, and {@code true} is returned), or the end of the call,
	 * with {@code call.stop} saying why. The synchronous, asynchronous and reactive paths all decide
	 * here. Never throws: what listeners and resolvers throw is logged once and ignored.
	 */
	boolean planRetry(Progress call) {
		int attempted = call.attempted;
		Throwable failure = call.failure;
		Outcome stop = stopReason(failure, attempted, call.onCallerThread());
		long delay = 0;
		boolean hinted = false;
		if (stop == null) {
			delay = this.backoff.delayNanos(attempted, call.previousDelay, this.random.getAsDouble());
			if (this.retryAfter != null) {
				long backoff = delay;
				delay = honourRetryAfter(failure, delay);
				hinted = delay != backoff;
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
			call.failure = this.breaker.reject(failure);
			call.stop(Outcome.REJECTED, attempted);
			return false;
		}
		if (this.budget != null && !this.budget.tryAcquireRetry()) {
			call.stop(Outcome.BUDGET_EXHAUSTED, attempted);
			return false;
		}
		retryScheduled(attempted + 1, delay, failure);
		if (call.observed == null && attempted == 1 && this.retryObserver != null) {
			call.observed = this.retryObserver.retrying(this.target);
		}
		if (call.observed != null) {
			call.observed.waiting(attempted + 1, Duration.ofNanos(delay), failure, hinted ? "Retry-After" : "backoff");
		}
		call.delay = delay;
		return true;
	}

	/**
	 * The one end of a call that failed, for every call style: tells the listeners how it ended,
	 * and returns the failure the caller gets, or {@code null} when the fallback answers instead
	 * (the caller's style then applies it to {@code call.failure}).
	 */
	@Nullable Throwable end(Progress call, @Nullable Fallback<?> fallback) {
		completed(call, call.stop, call.attempts, call.failure);
		if (fallback != null && fallback.handles(call.failure)) {
			return null;
		}
		return finalFailure(call);
	}

	/** What the caller gets when a call ends without a result: the last failure, or it wrapped. */
	private Throwable finalFailure(Progress call) {
		if (call.stop == Outcome.EXHAUSTED && this.wrap) {
			RetryExhaustedException exhausted = new RetryExhaustedException(this.target.name(), call.attempts,
					call.failure);
			call.earlier(exhausted::addSuppressed);
			return exhausted;
		}
		return call.failure;
	}

	private <C, T> T run(C context, Attempt<C, T> attempt, int number) throws Throwable {
		AttemptStage chain = this.chain;
		return (chain != null) ? chain.run(context, attempt, number) : attempt.run(context, number);
	}

	/**
	 * The attempt {@code call.attempted} failed: recorded in the call's progress, and told to the
	 * listeners unless a breaker rejected it (a rejected attempt was never made).
	 */
	void attemptFailed(Progress call, Throwable failure) {
		call.failed(failure, this.wrap);
		if (this.listeners.length == 0 || failure instanceof CircuitBreakerOpenException) {
			return;
		}
		for (RetryListener listener : this.listeners) {
			try {
				listener.onAttemptFailed(this.target, call.attempted, failure);
			}
			catch (Throwable ex) {
				this.listenerFailure.failed(listener, ex);
			}
		}
	}

	private void hedgeEnded(boolean won) {
		for (RetryListener listener : this.listeners) {
			try {
				listener.onHedgeEnded(this.target, won);
			}
			catch (Throwable ex) {
				this.listenerFailure.failed(listener, ex);
			}
		}
	}

	/** The larger of the computed delay and the wait the failure asks for, capped at max-delay. */
	private long honourRetryAfter(Throwable failure, long delay) {
		Duration asked;
		try {
			asked = RetryAfterResolver.alongCauses(this.retryAfter, failure, this.ticker.wallTime());
		}
		catch (Throwable ex) {
			this.resolverFailure.failed(this.target, ex);
			return delay;
		}
		if (asked == null) {
			return delay;
		}
		long askedNanos = (asked.getSeconds() >= Long.MAX_VALUE / 1_000_000_000L) ? Long.MAX_VALUE : asked.toNanos();
		return Math.min(Math.max(askedNanos, delay), this.maxDelayNanos);
	}

	/**
	 * Why no further attempt is made after this failure, or {@code null} to go on. Only a caller's
	 * own thread is asked whether it is interrupted: an asynchronous call's steps run on whatever
	 * thread completed a stage, whose interrupt flag says nothing about the call.
	 */
	private @Nullable Outcome stopReason(Throwable failure, int attempted, boolean onCallerThread) {
		if (failure instanceof CircuitBreakerOpenException) {
			return Outcome.REJECTED;
		}
		if (failure instanceof InterruptedException || (onCallerThread && Thread.currentThread().isInterrupted())) {
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
			catch (Throwable ex) {
				this.listenerFailure.failed(listener, ex);
			}
		}
	}

	void completed(Outcome outcome, int attempts, @Nullable Throwable failure) {
		for (RetryListener listener : (outcome == Outcome.SUCCESS) ? this.firstSuccessListeners : this.listeners) {
			try {
				listener.onCompleted(this.target, outcome, attempts, failure);
			}
			catch (Throwable ex) {
				this.listenerFailure.failed(listener, ex);
			}
		}
	}

	/** A call ended: the listeners are told, and the observer when the call has one. */
	void completed(Progress call, Outcome outcome, int attempts, @Nullable Throwable failure) {
		completed(outcome, attempts, failure);
		if (call.observed != null) {
			call.observed.end(outcome, attempts, failure);
		}
	}

	/** The caller gave up: the listeners are told, and the observer when the call has one. */
	void cancelled(Progress call, int attempts) {
		cancelled(attempts);
		if (call.observed != null) {
			call.observed.cancelled(attempts);
		}
	}

	/** Follows calls as they run from their start, or {@code null}. */
	@Nullable CallObserver observer() {
		return this.observer;
	}

	/** Follows calls from their first retry on, when it did not from their start; or {@code null}. */
	@Nullable CallObserver retryObserver() {
		return this.retryObserver;
	}

	/**
	 * Whether an observer may follow attempts of this executor's calls (from their start or from
	 * their first retry): what carries an attempt to where its work runs is needed only then.
	 */
	public boolean followsAttempts() {
		return this.observer != null || this.retryObserver != null;
	}

	void cancelled(int attempts) {
		for (RetryListener listener : this.listeners) {
			try {
				listener.onCancelled(this.target, attempts);
			}
			catch (Throwable ex) {
				this.listenerFailure.failed(listener, ex);
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

	/** Whether calls have a {@link RetryContext} (false for a breaker alone). */
	boolean retries() {
		return this.retries;
	}

	Scheduler scheduler() {
		return this.scheduler;
	}

	int maxAttempts() {
		return this.maxAttempts;
	}

	/** A call past its first failure (and every asynchronous call): where it stands. */
	static class Progress {

		/** Earlier failures kept for {@code on-exhausted: wrap}: the first and the most recent. */
		static final int KEPT_FAILURES = 10;

		final long start;

		/** The attempt running or last made: 1 for the first. */
		int attempted = 1;

		long previousDelay;

		/** The wait before the next attempt, once planned. */
		long delay;

		@Nullable Throwable failure;

		/**
		 * Earlier failures kept for {@code on-exhausted: wrap}, oldest first: the first, then the
		 * most recent. One field, since every asynchronous call waiting for a retry holds it.
		 */
		private @Nullable ArrayDeque<Throwable> earlier;

		@Nullable Outcome stop;

		/** Attempts to report when stopped. */
		int attempts;

		/** The call as its observer follows it, or {@code null}. */
		CallObserver.@Nullable Call observed;

		Progress(long start) {
			this.start = start;
		}

		/**
		 * Whether this call runs on its caller's thread, whose interrupt flag then counts: a
		 * synchronous call's does; an asynchronous call's steps run on whatever thread completed a stage.
		 */
		boolean onCallerThread() {
			return true;
		}

		/**
		 * The attempt {@code attempted} failed. A rejection by the breaker after a real failure
		 * carries that failure as its cause, so the caller still sees what went wrong.
		 * @param keepEarlier whether earlier failures are kept ({@code on-exhausted: wrap})
		 */
		void failed(Throwable next, boolean keepEarlier) {
			Throwable previous = this.failure;
			if (previous != null) {
				if (next instanceof CircuitBreakerOpenException rejected) {
					next = rejected.after(previous);
				}
				if (keepEarlier) {
					keep(previous);
				}
			}
			this.failure = next;
		}

		/** Keeps the first failure and the most recent ones, at most {@value #KEPT_FAILURES} in all. */
		private void keep(Throwable failure) {
			ArrayDeque<Throwable> earlier = this.earlier;
			if (earlier == null) {
				earlier = new ArrayDeque<>(KEPT_FAILURES);
				this.earlier = earlier;
			}
			if (earlier.size() == KEPT_FAILURES) {
				// Drop the oldest of the recent ones; the first stays first.
				Throwable first = earlier.removeFirst();
				earlier.removeFirst();
				earlier.addFirst(first);
			}
			earlier.addLast(failure);
		}

		/** The earlier failures kept, oldest first. */
		void earlier(java.util.function.Consumer<Throwable> action) {
			if (this.earlier != null) {
				this.earlier.forEach(action);
			}
		}

		/** The planned wait is over: the next attempt begins. */
		void next(@Nullable RetryContext context) {
			this.previousDelay = this.delay;
			this.attempted++;
			if (context != null) {
				context.nextAttempt(this.attempted, this.failure);
			}
		}

		void stop(Outcome outcome, int attempts) {
			this.stop = outcome;
			this.attempts = attempts;
		}

	}

	/**
	 * One asynchronous call. Its steps run one after another, each on the thread that completed the
	 * previous one (or the scheduler's), so its fields need no locking; only the caller giving up
	 * runs beside them, and it touches nothing but the pending future. It is itself the task the
	 * scheduler runs after a wait and the callback of each attempt's stage, so waiting costs no
	 * further object.
	 */
	private final class AsyncCall<C, T> extends Progress
			implements Runnable, Callable<Void>, BiConsumer<T, Throwable> {

		final Answer<T> result = new Answer<>(this);

		private final C context;

		/** The attempt, followed by the observer once it follows the call. */
		private Attempt<C, ? extends CompletionStage<T>> attempt;

		private final @Nullable Fallback<? super C> fallback;

		private final @Nullable RetryContext retryContext;

		/** The running attempt's future, the scheduled next attempt or the fallback's future. */
		private volatile @Nullable Future<?> pending;

		AsyncCall(C context, Attempt<C, ? extends CompletionStage<T>> attempt, @Nullable Fallback<? super C> fallback) {
			super(startTime());
			this.context = context;
			CallObserver observer = RetryExecutor.this.observer;
			if (observer != null) {
				this.observed = observer.startAsync(RetryExecutor.this.target, null);
			}
			this.attempt = (this.observed != null) ? new ObservedAttempt<>(this.observed, attempt) : attempt;
			this.fallback = fallback;
			this.retryContext = RetryExecutor.this.retries
					? RetryContext.detached(RetryExecutor.this.target, RetryExecutor.this.maxAttempts) : null;
		}

		/** Starts attempt {@code attempted}. */
		void attempt() {
			if (this.result.isDone()) {
				return;
			}
			int number = this.attempted;
			CompletableFuture<T> stage;
			RetryContext.resume(this.retryContext);
			try {
				AttemptStage chain = RetryExecutor.this.chain;
				stage = (chain != null) ? chain.start(this.context, this.attempt, number)
						: Attempt.startFuture(this.attempt, this.context, number);
			}
			catch (Throwable unexpected) {
				// No stage may keep the call from ending: what one throws fails the attempt.
				stage = CompletableFuture.failedFuture(unexpected);
			}
			finally {
				RetryContext.leave(this.retryContext);
			}
			pending(stage);
			stage.whenComplete(this);
		}

		/** The attempt's stage completed. */
		@Override
		public void accept(@Nullable T value, @Nullable Throwable error) {
			if (this.result.isDone()) {
				return;
			}
			RetryContext.resume(this.retryContext);
			try {
				if (error == null) {
					completed(this, (this.attempted == 1) ? Outcome.SUCCESS : Outcome.SUCCESS_AFTER_RETRY,
							this.attempted, null);
					this.result.answer(value);
					RetryContext.end(this.retryContext);
					return;
				}
				attemptFailed(this, Failures.unwrap(error));
				if (!planRetry(this)) {
					finish();
					return;
				}
				if (this.observed != null && !(this.attempt instanceof ObservedAttempt)) {
					// Followed from its first retry on.
					this.attempt = new ObservedAttempt<>(this.observed, this.attempt);
				}
				try {
					pending(RetryExecutor.this.scheduler.schedule(this, this.delay));
				}
				catch (RejectedExecutionException closed) {
					stopNow();
				}
			}
			catch (Throwable unexpected) {
				// Whatever went wrong here, the caller's future still completes.
				this.result.fail((this.failure != null) ? this.failure : unexpected);
			}
			finally {
				RetryContext.leave(this.retryContext);
			}
		}

		@Override
		boolean onCallerThread() {
			return false;
		}

		/** As {@link #run()}: a scheduler that takes a {@code Callable} as it is needs no adapter for it. */
		@Override
		public @Nullable Void call() {
			run();
			return null;
		}

		/** The wait is over, or the scheduler closed while the call waited. */
		@Override
		public void run() {
			if (this.result.isDone()) {
				return;
			}
			if (RetryExecutor.this.scheduler.isClosed()) {
				RetryContext.resume(this.retryContext);
				try {
					stopNow();
				}
				finally {
					RetryContext.leave(this.retryContext);
				}
				return;
			}
			next(this.retryContext);
			attempt();
		}

		/** The scheduler closed: the call ends now with its last failure, or its fallback. */
		private void stopNow() {
			stop(Outcome.NOT_RETRYABLE, this.attempted);
			finish();
		}

		private void finish() {
			Throwable thrown = end(this, this.fallback);
			if (thrown instanceof RejectedResultException rejected) {
				@SuppressWarnings("unchecked")
				T last = (T) rejected.getResult();
				this.result.answer(last);
				RetryContext.end(this.retryContext);
				return;
			}
			if (thrown != null) {
				this.result.fail(thrown);
				RetryContext.end(this.retryContext);
				return;
			}
			CompletableFuture<T> answer = StageFuture.of(this.fallback.applyAsync(this.context, this.failure));
			RetryContext.end(this.retryContext);
			pending(answer);
			answer.whenComplete((value, error) -> {
				if (error != null) {
					this.result.fail(Failures.unwrap(error));
				}
				else {
					this.result.answer(value);
				}
			});
		}

		private void pending(Future<?> stage) {
			this.pending = stage;
			if (this.result.isDone()) {
				// The caller gave up while this was being started.
				cancelPending();
			}
		}

		/** The caller cancelled or completed the future itself. */
		void gaveUp() {
			cancelPending();
			RetryContext.resume(this.retryContext);
			try {
				cancelled(this, this.attempted);
			}
			finally {
				RetryContext.leave(this.retryContext);
			}
		}

		private void cancelPending() {
			Future<?> pending = this.pending;
			if (pending != null) {
				// An attempt's future is cancelled with true (clients such as the JDK's HttpClient
				// abort the exchange only then); a scheduled next attempt must not interrupt a thread.
				pending.cancel(!(pending instanceof ScheduledFuture));
			}
		}




	}

	/** The future an asynchronous call's caller holds. */
	private static final class Answer<T> extends CallerFuture<T> {

		private final AsyncCall<?, T> call;

		Answer(AsyncCall<?, T> call) {
			this.call = call;
		}

		@Override
		protected void gaveUp() {
			this.call.gaveUp();
		}

	}

	/** A call that may throw anything. */
	@FunctionalInterface
	public interface CheckedSupplier<T> {

		T get() throws Throwable;

	}

}
