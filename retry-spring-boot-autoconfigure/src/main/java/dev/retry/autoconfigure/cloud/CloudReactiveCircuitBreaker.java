package dev.retry.autoconfigure.cloud;

import java.util.function.Function;

import dev.retry.breaker.CircuitBreaker;
import dev.retry.execution.ReactiveRetry;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.cloud.client.circuitbreaker.ReactiveCircuitBreaker;

/**
 * One of our breakers as Spring Cloud's {@link ReactiveCircuitBreaker}: each subscription is one
 * call through it, admitted or rejected when it subscribes, never blocking. A subscription that
 * completes (or is cancelled after an element) is a success, and so is a {@code Mono}'s value,
 * counted before the value goes on; one that fails is a failure; one
 * cancelled before any element counts neither way and gives its half-open trial permit back. The
 * fallback receives the failure, or the {@link dev.retry.CircuitBreakerOpenException} of a
 * rejection, and its publisher answers instead.
 */
public final class CloudReactiveCircuitBreaker implements ReactiveCircuitBreaker {

	private final CircuitBreaker breaker;

	CloudReactiveCircuitBreaker(CircuitBreaker breaker) {
		this.breaker = breaker;
	}

	/** The breaker subscriptions pass through: the one of this name in the registry. */
	public CircuitBreaker breaker() {
		return this.breaker;
	}

	@Override
	public <T> Mono<T> run(Mono<T> toRun, Function<Throwable, Mono<T>> fallback) {
		return ReactiveRetry.guarded(this.breaker, toRun).onErrorResume(fallback);
	}

	@Override
	public <T> Flux<T> run(Flux<T> toRun, Function<Throwable, Flux<T>> fallback) {
		return ReactiveRetry.guarded(this.breaker, toRun).onErrorResume(fallback);
	}

	@Override
	public String toString() {
		return "CloudReactiveCircuitBreaker[" + this.breaker.getName() + "]";
	}

}
