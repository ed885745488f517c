package dev.retry.autoconfigure.cloud;

import java.util.function.Function;
import java.util.function.Supplier;

import dev.retry.breaker.CircuitBreaker;

/**
 * One of our breakers as Spring Cloud's {@link org.springframework.cloud.client.circuitbreaker.CircuitBreaker}:
 * each {@code run} is one call through it, on the caller's thread. The fallback receives what the
 * call threw, as it was thrown, or the {@link dev.retry.CircuitBreakerOpenException} of a
 * rejection; without a fallback, Spring Cloud's contract wraps it in a
 * {@code NoFallbackAvailableException}. {@link Error}s are not the fallback's to answer: they
 * reach the caller. A supplier that throws {@link InterruptedException} (a Kotlin lambda calling
 * {@code Thread.sleep}, say) leaves the caller's thread interrupted, fallback or not.
 */
public final class CloudCircuitBreaker implements org.springframework.cloud.client.circuitbreaker.CircuitBreaker {

	/** Runs the supplier passed as the context: one shared function, so that a call allocates nothing more. */
	private static final CircuitBreaker.Call<Supplier<?>, Object> SUPPLIED = (supplier, attempt) -> supplier.get();

	private final CircuitBreaker breaker;

	CloudCircuitBreaker(CircuitBreaker breaker) {
		this.breaker = breaker;
	}

	/** The breaker calls pass through: the one of this name in the registry. */
	public CircuitBreaker breaker() {
		return this.breaker;
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> T run(Supplier<T> toRun, Function<Throwable, T> fallback) {
		try {
			return (T) this.breaker.execute(toRun, SUPPLIED, 1);
		}
		catch (Error error) {
			throw error;
		}
		catch (Throwable failure) {
			return fallBack(failure, fallback);
		}
	}

	/**
	 * The fallback's answer to a failure; after an {@link InterruptedException} the thread is
	 * interrupted again once the fallback is done (whatever it does, it runs undisturbed, as an
	 * annotated method's fallback does), so that the caller still sees the interrupt.
	 */
	static <T> T fallBack(Throwable failure, Function<Throwable, T> fallback) {
		try {
			return fallback.apply(failure);
		}
		finally {
			if (failure instanceof InterruptedException) {
				Thread.currentThread().interrupt();
			}
		}
	}

	@Override
	public String toString() {
		return "CloudCircuitBreaker[" + this.breaker.getName() + "]";
	}

}
