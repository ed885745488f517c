package dev.retry.breaker;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.retry.execution.Attempt;
import dev.retry.execution.AttemptStage;
import org.jspecify.annotations.Nullable;

/**
 * The circuit breaker as a stage of an attempt chain: admits or rejects each attempt, and records
 * how the rest of the chain (the attempt timeout, the call) ended. Made by
 * {@link CircuitBreaker#stage(AttemptStage)}.
 */
public final class BreakerStage extends AttemptStage {

	private final CircuitBreaker breaker;

	BreakerStage(CircuitBreaker breaker, @Nullable AttemptStage next) {
		super(next);
		this.breaker = breaker;
	}

	public CircuitBreaker breaker() {
		return this.breaker;
	}

	@Override
	public String toString() {
		return "circuitBreaker(" + this.breaker.getName() + ")";
	}

	@Override
	public <C, T> T run(C context, Attempt<C, T> call, int attempt) throws Throwable {
		CircuitBreaker.Phase admitted = this.breaker.tryAcquire();
		if (admitted == null) {
			throw this.breaker.rejection();
		}
		long start = this.breaker.startTime();
		T result;
		try {
			result = proceed(context, call, attempt);
		}
		catch (Throwable failure) {
			this.breaker.onFailure(admitted, failure, this.breaker.elapsed(start));
			throw failure;
		}
		this.breaker.onSuccess(admitted, this.breaker.elapsed(start));
		return result;
	}

	@Override
	public <C, T> CompletableFuture<T> start(C context, Attempt<C, ? extends CompletionStage<T>> call, int attempt) {
		CircuitBreaker.Phase admitted = this.breaker.tryAcquire();
		if (admitted == null) {
			return CompletableFuture.failedFuture(this.breaker.rejection());
		}
		return new Trial<>(this.breaker, admitted, this.breaker.getTicker().nanoTime(),
				proceedAsync(context, call, attempt));
	}

}
