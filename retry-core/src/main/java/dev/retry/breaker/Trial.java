package dev.retry.breaker;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.BiConsumer;

import dev.retry.internal.CallerFuture;
import dev.retry.internal.Failures;
import org.jspecify.annotations.Nullable;

/**
 * One asynchronous call admitted by a breaker, as the future its caller holds. Whichever comes
 * first ends it: the attempt's stage completing (its outcome is recorded) or the caller completing
 * or cancelling this future (it gave up: the permit comes back, the attempt's future is
 * cancelled). So a trial permit is never held by a call nobody waits for.
 */
final class Trial<T> extends CallerFuture<T> implements BiConsumer<T, Throwable> {

	private final CircuitBreaker breaker;

	@SuppressWarnings("rawtypes")
	private static final AtomicReferenceFieldUpdater<Trial, CircuitBreaker.Phase> ADMITTED = AtomicReferenceFieldUpdater
		.newUpdater(Trial.class, CircuitBreaker.Phase.class, "admitted");

	/** The permit, taken once: by the outcome that counts, or by the caller giving up first. */
	private volatile CircuitBreaker.@Nullable Phase admitted;

	private final long start;

	private final CompletionStage<T> stage;

	Trial(CircuitBreaker breaker, CircuitBreaker.Phase admitted, long start, CompletionStage<T> stage) {
		this.breaker = breaker;
		this.admitted = admitted;
		this.start = start;
		this.stage = stage;
		stage.whenComplete(this);
	}

	/**
	 * The attempt's stage completed: its outcome is counted before the caller's future completes,
	 * so that what runs then (a retry without backoff) finds the breaker that outcome made.
	 */
	@Override
	public void accept(@Nullable T value, @Nullable Throwable error) {
		CircuitBreaker.Phase admitted = ADMITTED.getAndSet(this, null);
		if (admitted == null) {
			// The caller gave up first: the permit is back already.
			return;
		}
		if (error == null) {
			try {
				this.breaker.onSuccess(admitted, this.breaker.getTicker().nanoTime() - this.start);
			}
			finally {
				answer(value);
			}
			return;
		}
		Throwable failure = Failures.unwrap(error);
		try {
			if (failure instanceof CancellationException) {
				this.breaker.release(admitted);
			}
			else {
				this.breaker.onFailure(admitted, failure, this.breaker.getTicker().nanoTime() - this.start);
			}
		}
		finally {
			fail(failure);
		}
	}

	/** The caller ended the call before the attempt did: no outcome, and the attempt is stopped. */
	@Override
	protected void gaveUp() {
		CircuitBreaker.Phase admitted = ADMITTED.getAndSet(this, null);
		if (admitted == null) {
			// The outcome was taken first: it counts, and the attempt is over.
			return;
		}
		this.breaker.release(admitted);
		if (this.stage instanceof Future<?> future) {
			// true: clients such as the JDK's HttpClient abort the exchange only then.
			future.cancel(true);
		}
	}

}
