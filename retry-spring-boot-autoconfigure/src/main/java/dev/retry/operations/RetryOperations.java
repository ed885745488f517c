package dev.retry.operations;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Runs calls under a configured retry policy, a configured circuit breaker, or both, exactly as an
 * annotated method's calls run: backoff, classification, {@code Retry-After}, deadline, budget,
 * attempt timeout, the breaker (the same object an annotation naming it uses), listeners, meters
 * (the {@code method} tag is this operation's name), observations, events, the
 * {@link dev.retry.execution.RetryContext}, and runtime tuning: a re-tuned policy applies from the
 * next call. Immutable and thread-safe: make one, keep it in a field.
 *
 * <pre>{@code
 * RetryOperations inventory = retries.policy("network").circuitBreaker("inventory").named("Inventory.stock");
 * Stock stock = inventory.get(() -> client.stock(sku));
 * }</pre>
 *
 * A failure that is not retried, and the last one when the attempts run out, reach the caller as
 * thrown (the same instance), or wrapped in {@link dev.retry.RetryExhaustedException} under
 * {@code on-exhausted: wrap}. Hedging ({@code hedge-delay}) applies to {@link #getAsync},
 * {@link #mono} and {@link #flux}; the synchronous calls make one attempt at a time.
 */
public interface RetryOperations {

	/** The name calls are counted, logged and listed under. */
	String name();

	/**
	 * The same calls, each attempt passing the configured circuit breaker of that name (in place of
	 * one named before).
	 * @throws IllegalArgumentException naming the configured breakers when there is none of that name
	 */
	RetryOperations circuitBreaker(String name);

	/**
	 * The same calls under another name: the {@code method} tag of the meters, the name in logs
	 * and in {@code /actuator/retries}. Without one, an operation is named after its policy (a
	 * breaker alone: after its breaker).
	 */
	RetryOperations named(String name);

	/**
	 * Runs the supplier, retrying it as the policy says.
	 * @return its value, from the first attempt that succeeded
	 */
	<T> T get(Supplier<? extends T> supplier);

	/**
	 * Runs the callable, retrying it as the policy says; a checked exception it throws reaches the
	 * caller as it is.
	 */
	<T> T call(Callable<? extends T> callable) throws Exception;

	/** Runs the runnable, retrying it as the policy says. */
	void run(Runnable runnable);

	/**
	 * Starts the work the supplier starts, and when its stage fails with a retryable failure,
	 * starts it again after the wait, holding no thread while waiting.
	 * @return a future completed with the first successful attempt's value, or failed with what
	 * the synchronous calls would throw; cancelling it stops the call
	 */
	<T> CompletableFuture<T> getAsync(Supplier<? extends CompletionStage<T>> supplier);

	/** Each subscription is a call, retried by resubscribing to {@code source}. Needs Reactor. */
	<T> Mono<T> mono(Mono<T> source);

	/** Each subscription is a call, retried by resubscribing to {@code source} (from its start). Needs Reactor. */
	<T> Flux<T> flux(Flux<T> source);

}
