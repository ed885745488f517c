package dev.retry.execution;

import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import dev.retry.RejectedResultException;
import dev.retry.event.Outcome;
import dev.retry.internal.Failures;
import dev.retry.time.Scheduler;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * One subscription of a publisher {@link ReactiveRetry} retries, a call of its own: it records
 * each failed attempt and asks {@link FailureDecision} what follows, waits on the runtime's
 * scheduler for the next attempt (Reactor's {@code retryWhen} resubscribes), and settles the
 * outcome once: completed, failed (the failure, the last rejected result, or the fallback's
 * publisher), or cancelled by its subscriber. Its attempts run one after another, so its fields
 * need no locking; only a cancelling subscriber runs beside them.
 */
final class ReactiveCall extends CallProgress implements Consumer<Object> {

	private final RetryExecutor executor;

	private final @Nullable Fallback<?> fallback;

	final @Nullable RetryContext context;

	private final AtomicBoolean settled = new AtomicBoolean();

	/** Whether the publisher is a {@code Mono}: its value is the call's answer. */
	private final boolean single;

	private volatile boolean emitted;

	/** Whether the call ended in a failure its fallback answers. */
	private boolean fallbackAnswers;

	ReactiveCall(RetryExecutor executor, @Nullable Fallback<?> fallback, boolean single) {
		super(executor.decision.callStarted());
		this.executor = executor;
		this.fallback = fallback;
		this.single = single;
		this.context = executor.retries ? RetryContext.detached(executor.target, executor.maxAttempts) : null;
	}

	/** An element, before it goes on: a {@code Mono}'s value ends the call, told before its subscriber has it. */
	@Override
	public void accept(Object element) {
		if (this.single) {
			succeeded();
		}
		else if (!this.emitted) {
			this.emitted = true;
		}
	}

	@Override
	boolean onCallerThread() {
		return false;
	}

	/** Another attempt after a wait, or the call's end. */
	Publisher<?> attemptFailed(Throwable failure) {
		RetryContext.resume(this.context);
		try {
			this.executor.decision.attemptFailed(this, Failures.unwrap(failure));
			if (this.executor.decision.planRetry(this)) {
				return Mono.create(this::waitForNextAttempt);
			}
			return Mono.error(end());
		}
		catch (Throwable unexpected) {
			return Mono.error((this.failure != null) ? this.failure : unexpected);
		}
		finally {
			RetryContext.leave(this.context);
		}
	}

	private void waitForNextAttempt(MonoSink<Long> sink) {
		Scheduler scheduler = this.executor.scheduler;
		long delay = this.delay;
		Future<?> timer;
		try {
			timer = scheduler.schedule(() -> {
				if (scheduler.isClosed()) {
					sink.error(stopNow());
				}
				else {
					next(this.context);
					sink.success(delay);
				}
			}, delay);
		}
		catch (RejectedExecutionException closed) {
			sink.error(stopNow());
			return;
		}
		sink.onCancel(() -> timer.cancel(false));
	}

	/** The scheduler closed: the call ends now with its last failure, or its fallback. */
	private Throwable stopNow() {
		RetryContext.resume(this.context);
		try {
			stop(Outcome.NOT_RETRYABLE, this.attempted);
			return end();
		}
		finally {
			RetryContext.leave(this.context);
		}
	}

	/** The failure that ends the call: what the caller gets, unless the fallback answers for it. */
	private Throwable end() {
		if (!this.settled.compareAndSet(false, true)) {
			return this.failure;
		}
		Throwable thrown = this.executor.decision.end(this, this.fallback);
		this.fallbackAnswers = (thrown == null);
		return (thrown != null) ? thrown : this.failure;
	}

	void succeeded() {
		if (this.settled.compareAndSet(false, true)) {
			outcome((this.attempted == 1) ? Outcome.SUCCESS : Outcome.SUCCESS_AFTER_RETRY);
		}
	}

	/** The subscriber cancelled: a success when it had what it wanted, else no outcome. */
	void cancelled() {
		if (!this.settled.compareAndSet(false, true)) {
			return;
		}
		if (this.emitted) {
			outcome((this.attempted == 1) ? Outcome.SUCCESS : Outcome.SUCCESS_AFTER_RETRY);
			return;
		}
		RetryContext.resume(this.context);
		try {
			this.executor.events.cancelled(this, this.attempted);
		}
		finally {
			RetryContext.leave(this.context);
			RetryContext.end(this.context);
		}
	}

	private void outcome(Outcome outcome) {
		RetryContext.resume(this.context);
		try {
			this.executor.events.completed(this, outcome, this.attempted, null);
		}
		finally {
			RetryContext.leave(this.context);
			RetryContext.end(this.context);
		}
	}

	@SuppressWarnings("unchecked")
	<C, T> Publisher<T> ended(Throwable error, C context) {
		RetryContext.end(this.context);
		if (!this.fallbackAnswers && error instanceof RejectedResultException rejected && error == this.failure) {
			// rethrow: the subscriber gets the last result as it is.
			return Mono.justOrEmpty((T) rejected.getResult());
		}
		if (!this.fallbackAnswers) {
			return Flux.error(error);
		}
		return answer((Fallback<? super C>) this.fallback, context, this.failure);
	}

	/** The fallback's publisher, or one failing with what the fallback threw or with its missing answer. */
	@SuppressWarnings("unchecked")
	private static <C, T> Publisher<T> answer(Fallback<? super C> fallback, C context, Throwable failure) {
		try {
			Object answer = fallback.apply(context, failure);
			return (answer != null) ? (Publisher<T>) answer
					: Flux.error(new NullPointerException("the fallback returned null instead of a publisher"));
		}
		catch (Throwable fallbackFailure) {
			return Flux.error(fallbackFailure);
		}
	}

}
