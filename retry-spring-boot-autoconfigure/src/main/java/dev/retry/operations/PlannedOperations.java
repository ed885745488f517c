package dev.retry.operations;

import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import dev.retry.execution.Attempt;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The {@link RetryOperations} {@link Retries} hands out: the shared plan of its name, policy and
 * breaker, and shared attempt functions that take the caller's lambda as their context, so that a
 * call allocates nothing beyond that lambda.
 */
final class PlannedOperations implements RetryOperations {

	@SuppressWarnings("rawtypes")
	private static final Attempt<Supplier, Object> GET = (supplier, attempt) -> supplier.get();

	@SuppressWarnings("rawtypes")
	private static final Attempt<Callable, Object> CALL = (callable, attempt) -> callable.call();

	private static final Attempt<Runnable, Object> RUN = (runnable, attempt) -> {
		runnable.run();
		return null;
	};

	@SuppressWarnings("rawtypes")
	private static final Attempt<Supplier, CompletionStage<Object>> START = (supplier,
			attempt) -> (CompletionStage<Object>) supplier.get();

	private final Retries retries;

	private final OperationPlan plan;

	/** Whether the name was given, rather than taken from the policy or breaker. */
	private final boolean named;

	PlannedOperations(Retries retries, OperationPlan plan, boolean named) {
		this.retries = retries;
		this.plan = plan;
		this.named = named;
		if (named) {
			// Named: listed from now on, as an annotated method is from start-up.
			plan.executor();
		}
	}

	@Override
	public String name() {
		return this.plan.key().name();
	}

	@Override
	public RetryOperations circuitBreaker(String name) {
		this.retries.requireBreaker(name);
		OperationPlan.Key key = this.plan.key();
		String operationName = this.named ? key.name() : (key.policy() != null) ? key.policy() : name;
		return this.retries.operations(operationName, key.policy(), name, this.named);
	}

	@Override
	public RetryOperations named(String name) {
		Retries.requireName(name, "operation");
		OperationPlan.Key key = this.plan.key();
		return this.retries.operations(name, key.policy(), key.breaker(), true);
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> T get(Supplier<? extends T> supplier) {
		Objects.requireNonNull(supplier, "supplier");
		try {
			return (T) this.plan.executor().call(supplier, GET, null);
		}
		catch (Throwable failure) {
			throw Rethrow.asThrown(failure);
		}
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> T call(Callable<? extends T> callable) throws Exception {
		Objects.requireNonNull(callable, "callable");
		try {
			return (T) this.plan.executor().call(callable, CALL, null);
		}
		catch (Exception | Error failure) {
			throw failure;
		}
		catch (Throwable failure) {
			throw Rethrow.asThrown(failure);
		}
	}

	@Override
	public void run(Runnable runnable) {
		Objects.requireNonNull(runnable, "runnable");
		try {
			this.plan.executor().call(runnable, RUN, null);
		}
		catch (Throwable failure) {
			throw Rethrow.asThrown(failure);
		}
	}

	@Override
	@SuppressWarnings({ "unchecked", "rawtypes" })
	public <T> CompletableFuture<T> getAsync(Supplier<? extends CompletionStage<T>> supplier) {
		Objects.requireNonNull(supplier, "supplier");
		return (CompletableFuture<T>) (CompletableFuture) this.plan.executor()
			.callAsync((Supplier) supplier, START, null);
	}

	@Override
	public <T> Mono<T> mono(Mono<T> source) {
		Objects.requireNonNull(source, "source");
		return ReactiveOperations.mono(this.plan, source);
	}

	@Override
	public <T> Flux<T> flux(Flux<T> source) {
		Objects.requireNonNull(source, "source");
		return ReactiveOperations.flux(this.plan, source);
	}

	@Override
	public String toString() {
		OperationPlan.Key key = this.plan.key();
		return "RetryOperations[" + key.name() + ((key.policy() != null) ? ", policy " + key.policy() : "")
				+ ((key.breaker() != null) ? ", circuit breaker " + key.breaker() : "") + "]";
	}

	/** Rethrows what the call ended with, as it was thrown: a checked one too, which the compiler cannot see. */
	private static final class Rethrow {

		static RuntimeException asThrown(Throwable failure) {
			return Rethrow.<RuntimeException>sneaky(failure);
		}

		@SuppressWarnings("unchecked")
		private static <E extends Throwable> E sneaky(Throwable failure) throws E {
			throw (E) failure;
		}

	}

}
