package dev.retry.execution;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;

import dev.retry.budget.RetryBudget;
import dev.retry.internal.CallerFuture;
import dev.retry.internal.Failures;
import dev.retry.time.Scheduler;
import org.jspecify.annotations.Nullable;

/**
 * Hedges an asynchronous attempt: when it has not answered after {@code hedge-delay}, another
 * starts beside it (up to {@code max-hedges}), each through the rest of the chain (breaker,
 * timeout), each taken from the retry budget. The first success wins and the others are
 * cancelled; when every one started has failed, the attempt fails with the first's failure. Each
 * hedge started is reported as won or lost. Synchronous calls are never hedged: start-up refuses
 * a hedge-delay on them.
 */
public final class HedgeStage extends AttemptStage {

	private final Duration delay;

	private final long delayNanos;

	private final int maxHedges;

	private final Scheduler watchdog;

	private final @Nullable RetryBudget budget;

	private final HedgeListener listener;

	HedgeStage(Duration delay, int maxHedges, Scheduler watchdog, @Nullable RetryBudget budget, HedgeListener listener,
			@Nullable AttemptStage next) {
		super(next);
		this.delay = delay;
		this.delayNanos = delay.toNanos();
		this.maxHedges = maxHedges;
		this.watchdog = watchdog;
		this.budget = budget;
		this.listener = listener;
	}

	public Duration delay() {
		return this.delay;
	}

	public int maxHedges() {
		return this.maxHedges;
	}

	Scheduler watchdog() {
		return this.watchdog;
	}

	/** Whether another hedge may start now: the budget, when there is one, pays for it. */
	boolean mayHedge() {
		return this.budget == null || this.budget.tryAcquireRetry();
	}

	/** Tells the listener how a hedge that started ended. */
	void hedged(boolean won) {
		this.listener.hedgeEnded(won);
	}

	@Override
	public String toString() {
		return "hedge(" + dev.retry.internal.Durations.text(this.delay) + ", max " + this.maxHedges + ")";
	}

	@Override
	public <C, T> T run(C context, Attempt<C, T> call, int attempt) throws Throwable {
		// Start-up refuses hedging on synchronous methods; an executor used directly just runs.
		return proceed(context, call, attempt);
	}

	@Override
	public <C, T> CompletableFuture<T> start(C context, Attempt<C, ? extends CompletionStage<T>> call, int attempt) {
		return new Race<>(this, context, call, attempt).begin();
	}

	/** Told how each hedge ended: won (its answer was used) or lost. */
	@FunctionalInterface
	interface HedgeListener {

		void hedgeEnded(boolean won);

	}

	/**
	 * One attempt and its hedges. Each runner (the attempt, then each hedge) is a slot reserved
	 * under the lock before it starts, so that a runner failing meanwhile waits for it and it is
	 * always reported when the race ends; every hedge runs, and its end is reported, with the
	 * call's {@link RetryContext} current.
	 */
	private static final class Race<C, T> extends CallerFuture<T> implements Runnable {

		private final HedgeStage stage;

		private final C context;

		private final Attempt<C, ? extends CompletionStage<T>> call;

		private final int attempt;

		/** The call's context, current wherever the race goes on (the watchdog's thread, a client's). */
		private final @Nullable RetryContext retryContext;

		/** Every runner started: the attempt first, then its hedges. */
		private final CompletableFuture<?>[] runners;

		/** Runners reserved: started, or about to start. */
		private int started;

		private int failed;

		private @Nullable Throwable firstFailure;

		private @Nullable Future<?> timer;

		private int winner = -1;

		/** Whether the race is over: answered, failed or given up. */
		private boolean finished;

		Race(HedgeStage stage, C context, Attempt<C, ? extends CompletionStage<T>> call, int attempt) {
			this.stage = stage;
			this.context = context;
			this.call = call;
			this.attempt = attempt;
			this.retryContext = RetryContext.currentOrNull();
			this.runners = new CompletableFuture<?>[1 + stage.maxHedges];
		}

		CompletableFuture<T> begin() {
			synchronized (this) {
				this.started = 1;
			}
			startRunner(0);
			return this;
		}

		/**
		 * The hedge delay passed: a hedge starts if nothing answered yet, the budget pays for it and
		 * the watchdog is not closed (a closing watchdog runs its timers at once: the application is
		 * shutting down, and the runners started go on alone).
		 */
		@Override
		public void run() {
			int index;
			synchronized (this) {
				if (this.finished || this.started > this.stage.maxHedges || this.stage.watchdog.isClosed()
						|| !this.stage.mayHedge()) {
					return;
				}
				index = this.started++;
			}
			RetryContext.resume(this.retryContext);
			try {
				startRunner(index);
			}
			finally {
				RetryContext.leave(this.retryContext);
			}
		}

		private void startRunner(int index) {
			Attempt<C, ? extends CompletionStage<T>> runner = (index == 0) ? this.call : this.call.beside();
			CompletableFuture<T> future;
			try {
				future = this.stage.proceedAsync(this.context, runner, this.attempt);
			}
			catch (Throwable unexpected) {
				future = CompletableFuture.failedFuture(unexpected);
			}
			boolean late;
			synchronized (this) {
				this.runners[index] = future;
				late = this.finished;
				if (!late && !future.isDone() && this.started <= this.stage.maxHedges) {
					try {
						this.timer = this.stage.watchdog.schedule(this, this.stage.delayNanos);
					}
					catch (RejectedExecutionException closed) {
						// The watchdog is closed: no more hedges, the runners started go on.
					}
				}
			}
			if (late) {
				// The race ended while this runner started: it lost (finish() reported it).
				future.cancel(true);
				return;
			}
			future.whenComplete(new Outcome(index));
		}

		private void ended(int index, @Nullable T value, @Nullable Throwable error) {
			Throwable failure = null;
			synchronized (this) {
				if (this.finished) {
					return;
				}
				if (error != null) {
					failure = Failures.unwrap(error);
					if (this.firstFailure == null) {
						this.firstFailure = failure;
					}
					this.failed++;
					if (this.failed < this.started) {
						// Another runner, started or starting, may still answer.
						return;
					}
					failure = this.firstFailure;
				}
				else {
					this.winner = index;
				}
			}
			// The losers are stopped and the hedges reported before the caller hears the answer.
			if (finish()) {
				if (failure != null) {
					fail(failure);
				}
				else {
					answer(value);
				}
			}
		}

		@Override
		protected void gaveUp() {
			finish();
		}

		/**
		 * Stops the timer and the runners still going, and reports each hedge reserved, once.
		 * @return whether this call did it
		 */
		private boolean finish() {
			int started;
			int winner;
			CompletableFuture<?>[] runners;
			synchronized (this) {
				if (this.finished) {
					return false;
				}
				this.finished = true;
				if (this.timer != null) {
					this.timer.cancel(false);
				}
				started = this.started;
				winner = this.winner;
				runners = this.runners.clone();
			}
			for (int i = 0; i < started; i++) {
				CompletableFuture<?> runner = runners[i];
				if (runner != null && i != winner) {
					runner.cancel(true);
				}
			}
			if (started > 1) {
				RetryContext.resume(this.retryContext);
				try {
					for (int i = 1; i < started; i++) {
						this.stage.hedged(i == winner);
					}
				}
				finally {
					RetryContext.leave(this.retryContext);
				}
			}
			return true;
		}

		private final class Outcome implements BiConsumer<T, Throwable> {

			private final int index;

			Outcome(int index) {
				this.index = index;
			}

			@Override
			public void accept(@Nullable T value, @Nullable Throwable error) {
				ended(this.index, value, error);
			}

		}

	}

}
