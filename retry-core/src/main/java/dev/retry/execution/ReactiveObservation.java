package dev.retry.execution;

import java.util.concurrent.CancellationException;

import dev.retry.event.CallObserver;
import dev.retry.internal.Failures;
import org.jspecify.annotations.Nullable;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxOperator;
import reactor.util.context.Context;

/**
 * The Reactor form of {@link ObservationStage}: each subscription of an attempt followed by the
 * call's observer, the attempt carried in the subscriber context and current on the subscribing
 * thread while it subscribes, and ended once by whichever signal comes first.
 */
final class ReactiveObservation {

	private ReactiveObservation() {
	}

	/**
	 * Each subscription of the source (each attempt, each hedge) followed by the call's observer,
	 * carrying the attempt in its context so that a reactive client nests under it, and with the
	 * attempt current on the thread while it subscribes, so that what runs at subscription (a
	 * {@code Mono.fromCallable}, a suspend function's body up to its first suspension) is inside it.
	 * @param single whether the source is a {@code Mono}: the run ends with its value, before the
	 * value goes on
	 */
	static <T> Flux<T> observed(CallObserver observer, Flux<T> source, boolean single) {
		return Flux.deferContextual((context) -> {
			ReactiveCall call = context.getOrDefault(ReactiveCall.class, null);
			if (call == null || call.observed == null) {
				return source;
			}
			CallObserver.ObservedAttempt attempt = call.observed.attempt(call.attempted);
			Object key = observer.contextKey();
			Object value = attempt.contextValue();
			// The attempt itself, for a source whose work runs elsewhere (a coroutine) and opens it there.
			Context carrying = (key != null && value != null)
					? Context.of(key, value, CallObserver.ObservedAttempt.class, attempt)
					: Context.of(CallObserver.ObservedAttempt.class, attempt);
			Flux<T> carried = source.contextWrite(carrying);
			ObservedRun run = new ObservedRun(attempt, single);
			return new SubscribedInside<>(carried, attempt).doOnNext(run)
				.doOnError(run::failed)
				.doOnComplete(run::completed)
				.doOnCancel(run::cancelled);
		});
	}

	/** One observed subscription: its attempt ends as the subscription did. */
	private static final class ObservedRun extends SubscriptionEnd {

		private static final long serialVersionUID = 1L;

		private final transient CallObserver.ObservedAttempt attempt;

		ObservedRun(CallObserver.ObservedAttempt attempt, boolean single) {
			super(single);
			this.attempt = attempt;
		}

		@Override
		void answered() {
			this.attempt.end(null);
		}

		@Override
		void failedWith(Throwable failure) {
			this.attempt.end(Failures.unwrap(failure));
		}

		@Override
		void cancelledUnanswered() {
			this.attempt.end(new CancellationException("attempt cancelled"));
		}

	}

	/**
	 * Subscribes to its source with the attempt current on the subscribing thread until the source
	 * answers: a value or an end signalled while it subscribes leaves the attempt first, so that what
	 * follows downstream (the retry decision, the next attempt) is not inside it, as with the other
	 * call styles.
	 */
	private static final class SubscribedInside<T> extends FluxOperator<T, T> {

		private final CallObserver.ObservedAttempt attempt;

		SubscribedInside(Flux<? extends T> source, CallObserver.ObservedAttempt attempt) {
			super(source);
			this.attempt = attempt;
		}

		@Override
		public void subscribe(CoreSubscriber<? super T> actual) {
			Inside<T> inside = new Inside<>(actual, this.attempt.open());
			try {
				this.source.subscribe(inside);
			}
			finally {
				inside.leave();
			}
		}

	}

	/** Passes every signal on, leaving the attempt first when it comes on the subscribing thread. */
	private static final class Inside<T> implements CoreSubscriber<T> {

		private final CoreSubscriber<? super T> actual;

		private final Thread subscribing = Thread.currentThread();

		/** Open while the subscribing thread is inside the attempt; touched on that thread only. */
		private CallObserver.@Nullable Scope scope;

		Inside(CoreSubscriber<? super T> actual, CallObserver.Scope scope) {
			this.actual = actual;
			this.scope = scope;
		}

		void leave() {
			if (Thread.currentThread() == this.subscribing) {
				CallObserver.Scope scope = this.scope;
				if (scope != null) {
					this.scope = null;
					scope.close();
				}
			}
		}

		@Override
		public Context currentContext() {
			return this.actual.currentContext();
		}

		@Override
		public void onSubscribe(org.reactivestreams.Subscription subscription) {
			this.actual.onSubscribe(subscription);
		}

		@Override
		public void onNext(T value) {
			leave();
			this.actual.onNext(value);
		}

		@Override
		public void onError(Throwable failure) {
			leave();
			this.actual.onError(failure);
		}

		@Override
		public void onComplete() {
			leave();
			this.actual.onComplete();
		}

	}

}
