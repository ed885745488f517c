package dev.retry.execution;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.BiConsumer;

import dev.retry.RejectedResultException;
import dev.retry.event.CallObserver;
import dev.retry.event.Outcome;
import dev.retry.internal.CallerFuture;
import dev.retry.internal.Failures;
import dev.retry.internal.StageFuture;
import org.jspecify.annotations.Nullable;

/**
 * One asynchronous call ({@link RetryExecutor#callAsync}): starts each attempt, and when its stage
 * fails with a failure {@link FailureDecision} retries, schedules the next attempt on the runtime's
 * scheduler, holding no thread while it waits; then completes the caller's future with the answer,
 * the failure or the fallback's stage. Its steps run one after another, each on the thread that
 * completed the previous one (or the scheduler's), so its fields need no locking; only the caller
 * giving up runs beside them, and it touches nothing but the pending future. It is itself the task
 * the scheduler runs after a wait and the callback of each attempt's stage, so waiting costs no
 * further object.
 */
final class AsyncCall<C, T> extends CallProgress implements Runnable, Callable<Void>, BiConsumer<T, Throwable> {

	/** The future the caller holds. */
	final Answer<T> result = new Answer<>(this);

	private final RetryExecutor executor;

	private final C context;

	/** The attempt, followed by the observer once it follows the call. */
	private Attempt<C, ? extends CompletionStage<T>> attempt;

	private final @Nullable Fallback<? super C> fallback;

	private final @Nullable RetryContext retryContext;

	/** The running attempt's future, the scheduled next attempt or the fallback's future. */
	private volatile @Nullable Future<?> pending;

	AsyncCall(RetryExecutor executor, C context, Attempt<C, ? extends CompletionStage<T>> attempt,
			@Nullable Fallback<? super C> fallback) {
		super(executor.decision.callStarted());
		this.executor = executor;
		this.context = context;
		CallObserver observer = executor.observer;
		if (observer != null) {
			this.observed = observer.startAsync(executor.target, null);
		}
		this.attempt = (this.observed != null) ? new ObservedAttempt<>(this.observed, attempt) : attempt;
		this.fallback = fallback;
		this.retryContext = executor.retries ? RetryContext.detached(executor.target, executor.maxAttempts) : null;
	}

	/** Starts attempt {@code attempted}. */
	void attempt() {
		if (this.result.isDone()) {
			return;
		}
		int number = this.attempted;
		CompletableFuture<T> stage;
		RetryContext.resume(this.retryContext);
		try {
			AttemptStage chain = this.executor.chain;
			stage = (chain != null) ? chain.start(this.context, this.attempt, number)
					: Attempt.startFuture(this.attempt, this.context, number);
		}
		catch (Throwable unexpected) {
			// No stage may keep the call from ending: what one throws fails the attempt.
			stage = CompletableFuture.failedFuture(unexpected);
		}
		finally {
			RetryContext.leave(this.retryContext);
		}
		pending(stage);
		stage.whenComplete(this);
	}

	/**
	 * The attempt's stage completed. How the call ended is told (listeners, observer), and its
	 * retry context ended and left, before the caller's future completes: what runs on that
	 * completion (the caller's own stages, on this thread) comes after the outcome, outside the call.
	 */
	@Override
	public void accept(@Nullable T value, @Nullable Throwable error) {
		if (this.result.isDone()) {
			return;
		}
		if (error == null) {
			succeeded(value);
			return;
		}
		boolean retrying;
		RetryContext.resume(this.retryContext);
		try {
			retrying = retries(Failures.unwrap(error));
		}
		catch (Throwable unexpected) {
			// Whatever went wrong here, the caller's future still completes.
			this.result.fail((this.failure != null) ? this.failure : unexpected);
			return;
		}
		finally {
			RetryContext.leave(this.retryContext);
		}
		if (retrying) {
			scheduleNext();
		}
		else {
			finish();
		}
	}

	/** The call answers with the attempt's value, unless its caller gave up first. */
	private void succeeded(@Nullable T value) {
		if (!this.result.settleOutcome()) {
			return;
		}
		try {
			RetryContext.resume(this.retryContext);
			try {
				this.executor.events.completed(this,
						(this.attempted == 1) ? Outcome.SUCCESS : Outcome.SUCCESS_AFTER_RETRY, this.attempted, null);
			}
			finally {
				RetryContext.leave(this.retryContext);
				RetryContext.end(this.retryContext);
			}
		}
		finally {
			this.result.answer(value);
		}
	}

	/**
	 * The attempt failed: whether another attempt follows, after {@code delay}. When not,
	 * {@code stop} says why the call ends.
	 */
	private boolean retries(Throwable failure) {
		this.executor.decision.attemptFailed(this, failure);
		if (!this.executor.decision.planRetry(this)) {
			return false;
		}
		if (this.observed != null && !(this.attempt instanceof ObservedAttempt)) {
			// Followed from its first retry on.
			this.attempt = new ObservedAttempt<>(this.observed, this.attempt);
		}
		return true;
	}

	/**
	 * Schedules the next attempt, out of the call's context: a scheduler may run it at once, on
	 * this thread ({@code ManualClock}), and the call may end there.
	 */
	private void scheduleNext() {
		try {
			pending(this.executor.scheduler.schedule(this, this.delay));
		}
		catch (RejectedExecutionException closed) {
			stop(Outcome.NOT_RETRYABLE, this.attempted);
			finish();
		}
		catch (Throwable unexpected) {
			// Whatever went wrong here, the caller's future still completes.
			this.result.fail((this.failure != null) ? this.failure : unexpected);
		}
	}

	@Override
	boolean onCallerThread() {
		return false;
	}

	/** As {@link #run()}: a scheduler that takes a {@code Callable} as it is needs no adapter for it. */
	@Override
	public @Nullable Void call() {
		run();
		return null;
	}

	/** The wait is over, or the scheduler closed while the call waited. */
	@Override
	public void run() {
		if (this.result.isDone()) {
			return;
		}
		if (this.executor.scheduler.isClosed()) {
			// The scheduler closed while the call waited: it ends now with its last failure, or its fallback.
			stop(Outcome.NOT_RETRYABLE, this.attempted);
			finish();
			return;
		}
		next(this.retryContext);
		attempt();
	}

	/**
	 * The call ends with its last failure (or the last result rejected), or its fallback's answer.
	 * A call its fallback does not answer takes its outcome first, so that a caller giving up
	 * meanwhile is not also told as cancelled; one it answers can still be given up, which stops
	 * the fallback's stage.
	 */
	private void finish() {
		boolean fallbackAnswers = fallbackAnswers();
		if (!fallbackAnswers && !this.result.settleOutcome()) {
			return;
		}
		Throwable thrown;
		CompletableFuture<T> answer = null;
		RetryContext.resume(this.retryContext);
		try {
			thrown = this.executor.decision.end(this, fallbackAnswers);
			if (thrown == null) {
				answer = StageFuture.of(this.fallback.applyAsync(this.context, this.failure));
			}
		}
		catch (Throwable unexpected) {
			// Whatever went wrong here, the caller's future still completes.
			thrown = (this.failure != null) ? this.failure : unexpected;
		}
		finally {
			RetryContext.leave(this.retryContext);
			RetryContext.end(this.retryContext);
		}
		if (answer != null) {
			pending(answer);
			answer.whenComplete((value, error) -> {
				if (error != null) {
					this.result.fail(Failures.unwrap(error));
				}
				else {
					this.result.answer(value);
				}
			});
		}
		else if (thrown instanceof RejectedResultException rejected) {
			@SuppressWarnings("unchecked")
			T last = (T) rejected.getResult();
			this.result.answer(last);
		}
		else {
			this.result.fail(thrown);
		}
	}

	/** Whether the fallback answers for the last failure; one that cannot say (it threw) does not. */
	private boolean fallbackAnswers() {
		try {
			return this.fallback != null && this.fallback.handles(this.failure);
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	private void pending(Future<?> stage) {
		this.pending = stage;
		if (this.result.isDone()) {
			// The caller gave up while this was being started.
			cancelPending();
		}
	}

	/** The caller cancelled or completed the future itself. */
	void gaveUp() {
		cancelPending();
		RetryContext.resume(this.retryContext);
		try {
			this.executor.events.cancelled(this, this.attempted);
		}
		finally {
			RetryContext.leave(this.retryContext);
		}
	}

	private void cancelPending() {
		Future<?> pending = this.pending;
		if (pending != null) {
			// An attempt's future is cancelled with true (clients such as the JDK's HttpClient
			// abort the exchange only then); a scheduled next attempt must not interrupt a thread.
			pending.cancel(!(pending instanceof ScheduledFuture));
		}
	}

	/** The future an asynchronous call's caller holds: giving up on it stops the call. */
	static final class Answer<T> extends CallerFuture<T> {

		@SuppressWarnings("rawtypes")
		private static final AtomicReferenceFieldUpdater<Answer, AsyncCall> CALL = AtomicReferenceFieldUpdater
			.newUpdater(Answer.class, AsyncCall.class, "call");

		/** Taken once: by the call settling its outcome, or by its caller giving up first. */
		private volatile @Nullable AsyncCall<?, T> call;

		Answer(AsyncCall<?, T> call) {
			this.call = call;
		}

		/** The call takes its outcome, before telling it; {@code false} when the caller gave up first. */
		boolean settleOutcome() {
			return CALL.getAndSet(this, null) != null;
		}

		@Override
		protected void gaveUp() {
			@SuppressWarnings("unchecked")
			AsyncCall<?, T> call = CALL.getAndSet(this, null);
			if (call != null) {
				call.gaveUp();
			}
		}

	}

}
