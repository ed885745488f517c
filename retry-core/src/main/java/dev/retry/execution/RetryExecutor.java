package dev.retry.execution;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.retry.RetryExhaustedException;
import dev.retry.breaker.CircuitBreaker;
import dev.retry.budget.RetryBudget;
import dev.retry.event.CallObserver;
import dev.retry.event.CallTarget;
import dev.retry.event.RetryListener;
import dev.retry.policy.RetryPolicy;
import dev.retry.time.Scheduler;
import org.jspecify.annotations.Nullable;

/**
 * Runs calls of one method under one policy: the entry point of the engine. Immutable and
 * thread-safe: build one per method, once, with {@link #builder}, and share it. It holds the
 * method's parts, put together when it was built, and hands each call to the style's runner:
 * {@link SyncCalls} for {@link #call}, an {@link AsyncCall} for {@link #callAsync}, and
 * {@link ReactiveRetry} for publishers. Every style decides what follows a failure, and what the
 * caller then gets, in {@link FailureDecision}. A call whose first attempt succeeds allocates
 * nothing here.
 *
 * <pre>{@code
 * RetryExecutor executor = RetryExecutor.builder("Inventory.fetch", RetryPolicy.builder("network").build())
 *     .runtime(RetryRuntime.defaults())
 *     .build();
 * Item item = executor.get(() -> client.fetch(sku));
 * }</pre>
 */
public final class RetryExecutor {

	final CallTarget target;

	private final RetryPolicy policy;

	/** False for a breaker alone: one attempt, no retry context, no listeners. */
	final boolean retries;

	final int maxAttempts;

	private final @Nullable CircuitBreaker breaker;

	private final @Nullable RetryBudget budget;

	/**
	 * The stages each attempt passes through (hedge, breaker, observation, result check, timeout),
	 * or {@code null}: the call alone.
	 */
	final @Nullable AttemptStage chain;

	final FailureDecision decision;

	final CallEvents events;

	private final SyncCalls sync;

	/** Where an asynchronous or reactive call waits for its next attempt. */
	final Scheduler scheduler;

	/** Follows calls and attempts as they run from their start (tracing), or {@code null}. */
	final @Nullable CallObserver observer;

	/** Follows calls from their first retry on, when it did not from their start; or {@code null}. */
	final @Nullable CallObserver retryObserver;

	RetryExecutor(CallTarget target, RetryPolicy policy, boolean retries, @Nullable CircuitBreaker breaker,
			@Nullable RetryBudget budget, @Nullable AttemptStage chain, FailureDecision decision, CallEvents events,
			SyncCalls sync, Scheduler scheduler, @Nullable CallObserver observer,
			@Nullable CallObserver retryObserver) {
		this.target = target;
		this.policy = policy;
		this.retries = retries;
		this.maxAttempts = policy.getMaxAttempts();
		this.breaker = breaker;
		this.budget = budget;
		this.chain = chain;
		this.decision = decision;
		this.events = events;
		this.sync = sync;
		this.scheduler = scheduler;
		this.observer = observer;
		this.retryObserver = retryObserver;
	}

	/**
	 * A builder of the executor of one method.
	 * @param name the method, as {@code SimpleClassName.method}
	 * @param policy the retry policy its calls run under
	 */
	public static RetryExecutorBuilder builder(String name, RetryPolicy policy) {
		return new RetryExecutorBuilder(name, policy);
	}

	/**
	 * An executor that makes one attempt through a breaker and never retries: a method with a
	 * circuit breaker alone. It ends calls exactly as a retrying executor does (fallback,
	 * cancellation, shutdown), but has no retry context and tells no retry listener.
	 * @param name the method, as {@code SimpleClassName.method}
	 */
	public static RetryExecutor breakerOnly(String name, CircuitBreaker breaker, RetryRuntime runtime) {
		RetryPolicy once = RetryPolicy.builder(breaker.getName()).maxAttempts(1).build();
		return builder(name, once).runtime(runtime).breaker(breaker).breakerAlone().build();
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
		List<String> stages = new ArrayList<>();
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

	/**
	 * Whether an observer may follow attempts of this executor's calls (from their start or from
	 * their first retry): what carries an attempt to where its work runs is needed only then.
	 */
	public boolean followsAttempts() {
		return this.observer != null || this.retryObserver != null;
	}

	/** Runs a call without context or fallback. */
	public <T> T get(CheckedSupplier<T> supplier) throws Throwable {
		return this.sync.call(supplier, (s, n) -> s.get(), null);
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
		return this.sync.call(context, attempt, fallback);
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
		AsyncCall<C, T> call = new AsyncCall<>(this, context, attempt, fallback);
		call.attempt();
		return call.result;
	}

	/** A call that may throw anything. */
	@FunctionalInterface
	public interface CheckedSupplier<T> {

		T get() throws Throwable;

	}

}
