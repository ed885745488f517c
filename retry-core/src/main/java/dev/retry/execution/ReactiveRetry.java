package dev.retry.execution;

import dev.retry.breaker.CircuitBreaker;
import dev.retry.event.CallObserver;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.util.context.Context;
import reactor.util.retry.Retry;

/**
 * Retries Reactor publishers by resubscribing, under the same policy semantics as
 * {@link RetryExecutor#call}: classification, backoff with jitter, Retry-After, deadline, budget,
 * breaker (taken per subscription), listeners and fallback, decided and ended in the same place
 * ({@link FailureDecision}). This class is the entry point: each subscription is a
 * {@link ReactiveCall}, and each of its attempts passes through the Reactor form of the executor's
 * stages ({@link ReactiveStages}). Waits are scheduled on the runtime's
 * {@link dev.retry.time.Scheduler}, holding no thread. A subscription that receives at least one element and then
 * cancels ({@code next()}, {@code take(1)}, {@code blockFirst()}) is a success; one that cancels
 * before any element is cancelled, with no outcome. Needs {@code reactor-core} on the classpath.
 *
 * <pre>{@code
 * Mono<Price> price = ReactiveRetry.mono(executor, webClient.get().uri("/price/{sku}", sku).retrieve()
 *     .bodyToMono(Price.class), null, null);
 * }</pre>
 *
 * Inside the source, the call's {@link RetryContext} is in the Reactor context under the key
 * {@code RetryContext.class}, and the attempt, when the executor's observer follows it, under
 * {@code CallObserver.ObservedAttempt.class}: a source whose work runs on threads of its own (a
 * coroutine) opens it there. Each followed attempt is current on the thread that subscribes it.
 */
public final class ReactiveRetry {

	private ReactiveRetry() {
	}

	/**
	 * Retries {@code source} by resubscription.
	 * @param context passed to the fallback
	 * @param fallback answers instead of the final failure with a {@code Mono} of its own; may be {@code null}
	 */
	public static <C, T> Mono<T> mono(RetryExecutor executor, Mono<T> source, C context,
			@Nullable Fallback<? super C> fallback) {
		return Mono.fromDirect(retried(executor, Flux.from(source), context, fallback, true));
	}

	/**
	 * Retries {@code source} by resubscription: a retried {@code Flux} emits again from its start,
	 * as with Reactor's own {@code retry}.
	 * @param context passed to the fallback
	 * @param fallback answers instead of the final failure with a publisher of its own; may be {@code null}
	 */
	public static <C, T> Flux<T> flux(RetryExecutor executor, Flux<T> source, C context,
			@Nullable Fallback<? super C> fallback) {
		return retried(executor, source, context, fallback, false);
	}

	/**
	 * @param single whether the source is a {@code Mono}: its value is the call's answer, and how
	 * the call and its attempt ended is recorded (breaker, observation, listeners, the retry
	 * context) before the value goes on, as for a {@code Flux} before its completion does. A
	 * subscriber has a {@code Mono}'s value at once ({@code block()}, {@code toFuture()},
	 * {@code flatMap}, a WebFlux response), and may act on it before any completion comes.
	 */
	private static <C, T> Flux<T> retried(RetryExecutor executor, Flux<T> source, C context,
			@Nullable Fallback<? super C> fallback, boolean single) {
		CallObserver observer = executor.observer;
		// Attempts are followed by the observer of every call, or from the first retry on by one of
		// retries: the chain observes them (ObservationStage) when either is there.
		CallObserver following = (observer != null) ? observer : executor.retryObserver;
		Flux<T> attempt = ReactiveStages.through(executor.chain, source, single);
		return Flux.deferContextual((subscriberContext) -> {
			ReactiveCall call = new ReactiveCall(executor, fallback, single);
			if (observer != null) {
				Object key = observer.contextKey();
				call.observed = observer.startAsync(executor.target,
						(key != null) ? subscriberContext.getOrDefault(key, null) : null);
			}
			Flux<T> retried = attempt
				.retryWhen(Retry.from((signals) -> signals.concatMap((signal) -> call.attemptFailed(signal.failure()))))
				.doOnNext(call)
				.doOnComplete(call::succeeded)
				// After the cancellation reached the attempt: its hedges and its observation end first,
				// as when a future's caller gives up, and only then the call.
				.doFinally((signal) -> {
					if (signal == SignalType.CANCEL) {
						call.cancelled();
					}
				})
				.onErrorResume((failure) -> call.ended(failure, context));
			if (following != null) {
				retried = retried.contextWrite(Context.of(ReactiveCall.class, call));
			}
			return (call.context != null) ? retried.contextWrite(Context.of(RetryContext.class, call.context)) : retried;
		});
	}


	/**
	 * Passes each subscription to {@code source} through the breaker, as {@link #guarded(CircuitBreaker, Flux)}
	 * does; the value is counted as a success before it reaches the subscriber.
	 */
	public static <T> Mono<T> guarded(CircuitBreaker breaker, Mono<T> source) {
		return Mono.fromDirect(ReactiveBreaker.guarded(breaker, Flux.from(source), true));
	}

	/**
	 * Passes each subscription to {@code source} through the breaker: rejected at once when it does
	 * not let the call through, else a success when the source completes or when the subscriber
	 * cancels after at least one element, a failure when the source fails; a subscriber that cancels
	 * before any element gives the permit back and counts neither way.
	 */
	public static <T> Flux<T> guarded(CircuitBreaker breaker, Flux<T> source) {
		return ReactiveBreaker.guarded(breaker, source, false);
	}

}
