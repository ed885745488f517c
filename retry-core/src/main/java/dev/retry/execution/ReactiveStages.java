package dev.retry.execution;

import dev.retry.AttemptTimeoutException;
import dev.retry.RejectedResultException;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Puts each subscription of a publisher (each attempt) through the stages of an executor's chain:
 * the Reactor form of every stage is chosen here, so that the stages themselves need no Reactor.
 * The simple forms (the result check, the attempt timeout) are here; the breaker, the observation
 * and hedging have a class each.
 */
final class ReactiveStages {

	private ReactiveStages() {
	}

	/**
	 * Puts each subscription (each attempt) through the stages of the chain, outermost first: the
	 * Reactor form of every stage is here, so that the stages themselves need no Reactor.
	 * @param single whether the source is a {@code Mono}: the stages that record how an attempt
	 * ended record its value as its end, before the value goes on
	 */
	static <T> Flux<T> through(@Nullable AttemptStage stage, Flux<T> source, boolean single) {
		if (stage == null) {
			return source;
		}
		Flux<T> inner = through(stage.next(), source, single);
		if (stage instanceof BreakerStage breaker) {
			return ReactiveBreaker.guarded(breaker.breaker(), inner, single);
		}
		if (stage instanceof TimeoutStage timeout) {
			return timedOut(timeout, inner);
		}
		if (stage instanceof ObservationStage observation) {
			return ReactiveObservation.observed(observation.observer(), inner, single);
		}
		if (stage instanceof ResultStage result) {
			return checked(result, inner);
		}
		if (stage instanceof HedgeStage hedge) {
			return ReactiveHedge.hedged(hedge, inner);
		}
		throw new IllegalStateException("No Reactor form for " + stage.getClass().getName());
	}

	/** Fails a subscription whose value the method's {@code retryOnResult} predicate rejects. */
	private static <T> Flux<T> checked(ResultStage stage, Flux<T> attempt) {
		return attempt.handle((value, sink) -> {
			if (stage.rejects(value)) {
				sink.error(new RejectedResultException(value));
			}
			else {
				sink.next(value);
			}
		});
	}

	/**
	 * Fails a subscription whose first element (a {@code Mono}'s value) has not come within the
	 * attempt timeout with {@link AttemptTimeoutException}, cancelling it.
	 */
	private static <T> Flux<T> timedOut(TimeoutStage stage, Flux<T> attempt) {
		Mono<Long> timeout = Mono.create((sink) -> {
			TimeoutStage.Alarm alarm = stage.alarm(() -> sink.success(0L));
			sink.onCancel(alarm::cancel);
		});
		return attempt.timeout(timeout, (element) -> Mono.never(),
				Flux.defer(() -> Flux.error(new AttemptTimeoutException(stage.timeout(), null))));
	}

}
