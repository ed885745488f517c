package dev.retry.execution;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * How one subscription to an attempt ended, settled once by whichever signal comes first: its
 * completion, or for a {@code Mono} its value (told before the value goes on, since the
 * subscriber may act on it at once), is an answer; so is a cancellation after an element (the
 * subscriber took what it wanted: {@code next()}, {@code take(1)}); a failure is a failure; a
 * cancellation before any element ends it with no answer. The Reactor stages that record an
 * attempt's end (the breaker, the observation) put it on their source with
 * {@code doOnNext(end).doOnComplete(end::completed).doOnError(end::failed).doOnCancel(end::cancelled)}.
 */
abstract class SubscriptionEnd extends AtomicBoolean implements Consumer<Object> {

	private static final long serialVersionUID = 1L;

	/** Whether the source is a {@code Mono}, whose value is the subscription's answer. */
	private final boolean single;

	private volatile boolean emitted;

	SubscriptionEnd(boolean single) {
		this.single = single;
	}

	/** An element, before it goes on. */
	@Override
	public final void accept(Object element) {
		if (this.single) {
			completed();
		}
		else if (!this.emitted) {
			this.emitted = true;
		}
	}

	final void completed() {
		if (compareAndSet(false, true)) {
			answered();
		}
	}

	final void failed(Throwable failure) {
		if (compareAndSet(false, true)) {
			failedWith(failure);
		}
	}

	final void cancelled() {
		if (compareAndSet(false, true)) {
			if (this.emitted) {
				answered();
			}
			else {
				cancelledUnanswered();
			}
		}
	}

	/** The subscription answered: a value, its completion, or a cancellation after an element. */
	abstract void answered();

	/** The subscription failed, as its source signalled it. */
	abstract void failedWith(Throwable failure);

	/** The subscriber cancelled before any element: no answer, and no failure of the attempt's. */
	abstract void cancelledUnanswered();

}
