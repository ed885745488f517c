package dev.retry.execution;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.retry.breaker.CircuitBreaker;
import org.jspecify.annotations.Nullable;

/**
 * A circuit breaker as a stage of an attempt chain: admits or rejects each attempt, and records
 * how the rest of the chain (the attempt timeout, the call) ended, through the breaker's admission
 * API. The breaker knows nothing of attempts and chains; this stage is where the two meet.
 */
public final class BreakerStage extends AttemptStage {

	private final CircuitBreaker breaker;

	public BreakerStage(CircuitBreaker breaker, @Nullable AttemptStage next) {
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
		long start = this.breaker.getTicker().nanoTime();
		return this.breaker.recordAsync(admitted, start, proceedAsync(context, call, attempt));
	}

}
