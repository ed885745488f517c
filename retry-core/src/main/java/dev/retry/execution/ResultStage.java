package dev.retry.execution;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

import dev.retry.RejectedResultException;
import dev.retry.event.CallTarget;
import dev.retry.internal.CallerFuture;
import dev.retry.internal.Failures;
import dev.retry.internal.LoggedOnce;
import org.jspecify.annotations.Nullable;

/**
 * Fails an attempt whose result the method's {@code retryOnResult} predicate rejects with a
 * {@link RejectedResultException} carrying it, so that it is retried like a transient failure. It
 * sits inside the breaker, which counts the rejection as the answer it is (a success), and
 * outside the attempt timeout; inside hedging, so a rejected answer does not win a race that
 * another hedge may still win. Only methods with a predicate have this stage.
 */
final class ResultStage extends AttemptStage {

	private final Predicate<Object> predicate;

	private final CallTarget target;

	private final LoggedOnce predicateFailure = new LoggedOnce("A retryOnResult predicate threw; the result is kept");

	ResultStage(Predicate<Object> predicate, CallTarget target, @Nullable AttemptStage next) {
		super(next);
		this.predicate = predicate;
		this.target = target;
	}

	/** Whether the result is to be retried; a predicate that throws answers no (logged once). */
	boolean rejects(@Nullable Object result) {
		try {
			return this.predicate.test(result);
		}
		catch (Throwable ex) {
			this.predicateFailure.failed(this.target, ex);
			return false;
		}
	}

	@Override
	public <C, T> T run(C context, Attempt<C, T> call, int attempt) throws Throwable {
		T result = proceed(context, call, attempt);
		if (rejects(result)) {
			throw new RejectedResultException(result);
		}
		return result;
	}

	@Override
	public <C, T> CompletableFuture<T> start(C context, Attempt<C, ? extends CompletionStage<T>> call, int attempt) {
		return new Checked<>(proceedAsync(context, call, attempt), this);
	}

	@Override
	public boolean isShown() {
		return false;
	}

	@Override
	public String toString() {
		return "retryOnResult";
	}

	/** An asynchronous attempt's result, checked when it comes. */
	private static final class Checked<T> extends CallerFuture<T> implements BiConsumer<T, Throwable> {

		private final CompletableFuture<T> inner;

		private final ResultStage stage;

		Checked(CompletableFuture<T> inner, ResultStage stage) {
			this.inner = inner;
			this.stage = stage;
			inner.whenComplete(this);
		}

		@Override
		public void accept(@Nullable T value, @Nullable Throwable error) {
			if (error != null) {
				fail(Failures.unwrap(error));
			}
			else if (this.stage.rejects(value)) {
				fail(new RejectedResultException(value));
			}
			else {
				answer(value);
			}
		}

		@Override
		protected void gaveUp() {
			this.inner.cancel(true);
		}

	}

}
