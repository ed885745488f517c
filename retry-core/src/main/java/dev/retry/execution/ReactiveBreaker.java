package dev.retry.execution;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import dev.retry.breaker.CircuitBreaker;
import dev.retry.time.Ticker;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * The Reactor form of the circuit breaker stage: each subscription admitted or rejected, and
 * recorded by whichever signal comes first (completion, failure, or a cancellation after or
 * before an element). {@link ReactiveRetry#guarded} offers it on its own.
 */
final class ReactiveBreaker {

	private ReactiveBreaker() {
	}

	/**
	 * Passes each subscription to {@code source} through the breaker: rejected at once when it does
	 * not let the call through, else a success when the source completes or when the subscriber
	 * cancels after at least one element, a failure when the source fails; a subscriber that cancels
	 * before any element gives the permit back and counts neither way.
	 */
	static <T> Flux<T> guarded(CircuitBreaker breaker, Flux<T> source) {
		Flux<T> admittedHere = Flux.defer(() -> admit(breaker, source));
		// A trial of a round shared with a fleet asks it for a permit, waiting up to its operation
		// timeout: never on the subscribing thread (an event loop, for Gateway).
		Flux<T> admittedAside = admittedHere.subscribeOn(Schedulers.boundedElastic());
		return Flux.defer(() -> breaker.admissionMayWait() ? admittedAside : admittedHere);
	}

	private static <T> Flux<T> admit(CircuitBreaker breaker, Flux<T> source) {
		CircuitBreaker.Phase admitted = breaker.tryAcquire();
		if (admitted == null) {
			return Flux.error(breaker.rejection());
		}
		Trial<T> trial = new Trial<>(breaker, admitted);
		return source.doOnNext(trial).doOnComplete(trial::completed).doOnError(trial::failed)
			.doOnCancel(trial::cancelled);
	}

	/** One subscription through a breaker; whichever signal comes first settles it. */
	private static final class Trial<T> extends AtomicBoolean implements Consumer<T> {

		private static final long serialVersionUID = 1L;

		private final CircuitBreaker breaker;

		private final CircuitBreaker.Phase admitted;

		private final long start;

		private volatile boolean emitted;

		Trial(CircuitBreaker breaker, CircuitBreaker.Phase admitted) {
			this.breaker = breaker;
			this.admitted = admitted;
			this.start = breaker.getTicker().nanoTime();
		}

		@Override
		public void accept(T element) {
			if (!this.emitted) {
				this.emitted = true;
			}
		}

		void completed() {
			if (compareAndSet(false, true)) {
				this.breaker.onSuccess(this.admitted, elapsed());
			}
		}

		void failed(Throwable failure) {
			if (compareAndSet(false, true)) {
				this.breaker.onFailure(this.admitted, failure, elapsed());
			}
		}

		void cancelled() {
			if (compareAndSet(false, true)) {
				if (this.emitted) {
					// The subscriber took what it wanted (next(), take(1)): the downstream answered.
					this.breaker.onSuccess(this.admitted, elapsed());
				}
				else {
					this.breaker.release(this.admitted);
				}
			}
		}

		private long elapsed() {
			Ticker ticker = this.breaker.getTicker();
			return ticker.nanoTime() - this.start;
		}

	}

}
