package dev.retry.execution;

import dev.retry.breaker.CircuitBreaker;
import dev.retry.time.Ticker;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * The Reactor form of the circuit breaker stage: each subscription admitted or rejected, and
 * recorded by whichever signal comes first (completion, failure, or a cancellation after or
 * before an element; for a {@code Mono}, its value). {@link ReactiveRetry#guarded} offers it on
 * its own.
 */
final class ReactiveBreaker {

	private ReactiveBreaker() {
	}

	/**
	 * Passes each subscription to {@code source} through the breaker: rejected at once when it does
	 * not let the call through, else a success when the source completes or when the subscriber
	 * cancels after at least one element, a failure when the source fails; a subscriber that cancels
	 * before any element gives the permit back and counts neither way.
	 * @param single whether the source is a {@code Mono}: its value is its answer, counted before
	 * the value goes on (a subscriber chaining the next call on it finds the breaker that answer made)
	 */
	static <T> Flux<T> guarded(CircuitBreaker breaker, Flux<T> source, boolean single) {
		Flux<T> admittedHere = Flux.defer(() -> admit(breaker, source, single));
		// A trial of a round shared with a fleet asks it for a permit, waiting up to its operation
		// timeout: never on the subscribing thread (an event loop, for Gateway).
		Flux<T> admittedAside = admittedHere.subscribeOn(Schedulers.boundedElastic());
		return Flux.defer(() -> breaker.admissionMayWait() ? admittedAside : admittedHere);
	}

	private static <T> Flux<T> admit(CircuitBreaker breaker, Flux<T> source, boolean single) {
		CircuitBreaker.Phase admitted = breaker.tryAcquire();
		if (admitted == null) {
			return Flux.error(breaker.rejection());
		}
		Trial trial = new Trial(breaker, admitted, single);
		return source.doOnNext(trial).doOnComplete(trial::completed).doOnError(trial::failed)
			.doOnCancel(trial::cancelled);
	}

	/** One subscription through a breaker, counted by how it ended. */
	private static final class Trial extends SubscriptionEnd {

		private static final long serialVersionUID = 1L;

		private final CircuitBreaker breaker;

		private final CircuitBreaker.Phase admitted;

		private final long start;

		Trial(CircuitBreaker breaker, CircuitBreaker.Phase admitted, boolean single) {
			super(single);
			this.breaker = breaker;
			this.admitted = admitted;
			this.start = breaker.getTicker().nanoTime();
		}

		@Override
		void answered() {
			this.breaker.onSuccess(this.admitted, elapsed());
		}

		@Override
		void failedWith(Throwable failure) {
			this.breaker.onFailure(this.admitted, failure, elapsed());
		}

		@Override
		void cancelledUnanswered() {
			this.breaker.release(this.admitted);
		}

		private long elapsed() {
			Ticker ticker = this.breaker.getTicker();
			return ticker.nanoTime() - this.start;
		}

	}

}
