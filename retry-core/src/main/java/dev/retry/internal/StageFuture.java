package dev.retry.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;

import org.jspecify.annotations.Nullable;

/**
 * A future of ours completed by a stage that a method returned, for every stage that is not a
 * plain {@link CompletableFuture}: a minimal stage ({@code completedStage}, {@code failedStage},
 * {@code minimalCompletionStage()}), which throws on {@code isDone()}, {@code get()} and
 * {@code cancel()}, a subclass, another library's stage. What the stages of a call do with an
 * attempt's future (ask whether it is done, cancel it, complete it) is then done to this one, and
 * the method's own stage is only listened to, as {@link CompletionStage} promises.
 */
public final class StageFuture<T> extends CallerFuture<T> implements BiConsumer<T, Throwable> {

	private final CompletionStage<T> stage;

	private StageFuture(CompletionStage<T> stage) {
		this.stage = stage;
	}

	/** The stage itself when it is a plain {@link CompletableFuture}, else a future completed by it. */
	@SuppressWarnings("unchecked")
	public static <T> CompletableFuture<T> of(CompletionStage<? extends T> stage) {
		if (stage.getClass() == CompletableFuture.class) {
			return (CompletableFuture<T>) stage;
		}
		StageFuture<T> future = new StageFuture<>((CompletionStage<T>) stage);
		future.stage.whenComplete(future);
		return future;
	}

	@Override
	public void accept(@Nullable T value, @Nullable Throwable failure) {
		if (failure != null) {
			fail(Failures.unwrap(failure));
		}
		else {
			answer(value);
		}
	}

	/**
	 * The future was cancelled or completed from outside: the stage is cancelled too when it can
	 * be. A stage that refuses (a minimal stage throws) ends when its work ends; nobody waits for it.
	 */
	@Override
	protected void gaveUp() {
		if (this.stage instanceof Future<?> future) {
			try {
				// true: clients such as the JDK's HttpClient abort the exchange only then.
				future.cancel(true);
			}
			catch (RuntimeException refused) {
				// UnsupportedOperationException from a minimal stage: nothing more can be done.
			}
		}
	}

}
