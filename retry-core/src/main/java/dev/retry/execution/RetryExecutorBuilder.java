package dev.retry.execution;

import java.util.function.Predicate;

import dev.retry.RejectedResultException;
import dev.retry.breaker.CircuitBreaker;
import dev.retry.budget.RetryBudget;
import dev.retry.classify.FailureClassifier;
import dev.retry.classify.RetryAfterResolver;
import dev.retry.event.CallObserver;
import dev.retry.event.CallTarget;
import dev.retry.internal.Assert;
import dev.retry.policy.RetryPolicy;
import dev.retry.time.Scheduler;
import org.jspecify.annotations.Nullable;

/**
 * Builds a {@link RetryExecutor}: what it needs besides its method and policy, each with a default,
 * and the one place its parts are put together (the stages of an attempt, the decision, the
 * listeners), once, so that running a call resolves nothing. Not thread-safe; a built executor
 * never changes.
 *
 * <pre>{@code
 * RetryExecutor executor = RetryExecutor.builder("Inventory.fetch", policy)
 *     .runtime(runtime)
 *     .breaker(breaker)
 *     .build();
 * }</pre>
 */
public final class RetryExecutorBuilder {

	private final String name;

	private final RetryPolicy policy;

	private RetryRuntime runtime = RetryRuntime.defaults();

	private @Nullable FailureClassifier classifier;

	private @Nullable CircuitBreaker breaker;

	private boolean budgetSet;

	private @Nullable RetryBudget budget;

	private @Nullable Predicate<Object> retryOnResult;

	/** False for a breaker alone: one attempt, no retry context, no listeners. */
	private boolean retries = true;

	RetryExecutorBuilder(String name, RetryPolicy policy) {
		Assert.isTrue(name != null && !name.isBlank(),
				"name must name the method, as SimpleClassName.method; was '%s'", name);
		this.name = name;
		this.policy = Assert.notNull(policy, "policy");
	}

	/** Sleeping, time, randomness, scheduling, listeners and observer; {@link RetryRuntime#defaults()} if not set. */
	public RetryExecutorBuilder runtime(RetryRuntime runtime) {
		this.runtime = Assert.notNull(runtime, "runtime");
		return this;
	}

	/**
	 * Decides which failures are retried; if not set, the policy's classification with the
	 * runtime's HTTP status resolver.
	 */
	public RetryExecutorBuilder classifier(FailureClassifier classifier) {
		this.classifier = Assert.notNull(classifier, "classifier");
		return this;
	}

	/** The circuit breaker every attempt passes through; none if not set. */
	public RetryExecutorBuilder breaker(@Nullable CircuitBreaker breaker) {
		this.breaker = breaker;
		return this;
	}

	/**
	 * The retry budget every retry and hedge is paid from, shared by the executors of the same
	 * policy, or {@code null} for none. If not set, the executor has a budget of its own when the
	 * policy sets one.
	 */
	public RetryExecutorBuilder budget(@Nullable RetryBudget budget) {
		this.budgetSet = true;
		this.budget = budget;
		return this;
	}

	/**
	 * Results retried as if the attempt had failed (with a {@link RejectedResultException}), or
	 * {@code null}; the circuit breaker counts them as successes: the downstream answered.
	 */
	public RetryExecutorBuilder retryOnResult(@Nullable Predicate<Object> retryOnResult) {
		this.retryOnResult = retryOnResult;
		return this;
	}

	/** A method with a circuit breaker alone: one attempt, no retry context, no retry listener. */
	RetryExecutorBuilder breakerAlone() {
		this.retries = false;
		return this;
	}

	public RetryExecutor build() {
		RetryRuntime runtime = this.runtime;
		RetryPolicy policy = this.policy;
		CallTarget target = new CallTarget(this.name, policy.getName());
		boolean retries = this.retries;
		FailureClassifier classifier = (this.classifier != null) ? this.classifier
				: new FailureClassifier(policy, runtime.statusResolver());
		RetryBudget budget = this.budgetSet ? this.budget : RetryBudget.of(policy.getBudget(), runtime.ticker());
		if (!retries) {
			budget = null;
		}
		CallObserver guarded = GuardedObserver.of(runtime.observer());
		CallObserver forTarget = (guarded != null) ? guarded.forTarget(target) : null;
		CallObserver observer = (forTarget != null && forTarget.followsEveryCall()) ? forTarget : null;
		CallObserver retryObserver = (retries && policy.getMaxAttempts() > 1) ? forTarget : null;
		CallEvents events = retries
				? new CallEvents(target, policy.getMaxAttempts(), runtime.listeners(), retryObserver)
				: CallEvents.silent(target);
		RetryAfterResolver retryAfter = (policy.isRespectRetryAfter() && runtime.retryAfter() != RetryAfterResolver.NONE)
				? runtime.retryAfter() : null;
		FailureDecision decision = new FailureDecision(target, policy, classifier, runtime, retryAfter, this.breaker,
				budget, events);
		// The attempts of a call followed from its start, or from its first retry on, are observed in the chain.
		AttemptStage chain = chain(target, budget, runtime.watchdog(), events,
				(observer != null || retryObserver != null) ? forTarget : null);
		SyncCalls sync = new SyncCalls(target, policy.getMaxAttempts(), retries, chain, decision, events, runtime,
				observer);
		return new RetryExecutor(target, policy, retries, this.breaker, budget, chain, decision, events, sync,
				runtime.scheduler(), observer, retryObserver);
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
	private @Nullable AttemptStage chain(CallTarget target, @Nullable RetryBudget budget, Scheduler watchdog,
			CallEvents events, @Nullable CallObserver observer) {
		RetryPolicy policy = this.policy;
		AttemptStage chain = null;
		if (!policy.getAttemptTimeout().isZero()) {
			chain = new TimeoutStage(policy.getAttemptTimeout(), watchdog, chain);
		}
		if (this.retryOnResult != null) {
			chain = new ResultStage(this.retryOnResult, target, chain);
		}
		if (observer != null) {
			chain = new ObservationStage(observer, chain);
		}
		if (this.breaker != null) {
			chain = new BreakerStage(this.breaker, chain);
		}
		if (!policy.getHedgeDelay().isZero()) {
			chain = new HedgeStage(policy.getHedgeDelay(), policy.getMaxHedges(), watchdog, budget, events, chain);
		}
		return chain;
	}

}
