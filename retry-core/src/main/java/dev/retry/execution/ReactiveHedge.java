package dev.retry.execution;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;

import dev.retry.time.Scheduler;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The Reactor form of {@link HedgeStage}: one attempt subscribed again after each hedge delay while
 * no runner has answered, the first answer used and the others cancelled, each hedge started
 * reported once as won or lost, before the answer goes on.
 */
final class ReactiveHedge {

	private ReactiveHedge() {
	}

	/**
	 * Subscribes to the attempt, and again after each hedge delay while no runner has answered (up
	 * to max-hedges, each paid from the budget, none once the watchdog is closed). The first runner
	 * to answer (a value, or completing empty) is used and the others are cancelled; a runner that
	 * fails leaves the race to the others, and when every runner started has failed the attempt
	 * fails at once with the first failure, starting no further hedge. Each hedge's end is reported
	 * with the call's {@link RetryContext} current.
	 */
	static <T> Flux<T> hedged(HedgeStage stage, Flux<T> attempt) {
		return Flux.deferContextual((context) -> {
			HedgeRace race = new HedgeRace(stage, context.getOrDefault(RetryContext.class, null));
			List<Publisher<T>> runners = new ArrayList<>(1 + stage.maxHedges());
			runners.add(race.runner(0, attempt));
			long delay = stage.delay().toNanos();
			for (int i = 1; i <= stage.maxHedges(); i++) {
				int index = i;
				runners.add(after(stage.watchdog(), delay * i)
					.flatMapMany((tick) -> race.reserve(index) ? race.runner(index, attempt) : Flux.<T>never()));
			}
			return Flux.firstWithSignal(runners).doOnTerminate(race::ended).doOnCancel(race::ended);
		});
	}

	/** A hedge's delay: a value after it, on the watchdog; never, when the watchdog is closed. */
	private static Mono<Long> after(Scheduler watchdog, long nanos) {
		return Mono.create((sink) -> {
			Future<?> timer;
			try {
				timer = watchdog.schedule(() -> sink.success(nanos), nanos);
			}
			catch (RejectedExecutionException closed) {
				return;
			}
			sink.onCancel(() -> timer.cancel(false));
		});
	}

	/**
	 * Which runners of one hedged attempt are started and failed, and which answered first. Only the
	 * runner that claims the race first may signal an answer, so the one reported as won is the one
	 * used; a failure is signalled only when every runner started has failed.
	 */
	private static final class HedgeRace {

		private final HedgeStage stage;

		private final @Nullable RetryContext retryContext;

		/**
		 * Runners reserved: the attempt, and each hedge whose delay passed (paid from the budget);
		 * a failure waits for them, and each hedge reserved is reported when the race ends.
		 */
		private int started = 1;

		private int failed;

		private @Nullable Throwable firstFailure;

		private int winner = -1;

		/** Whether the race is decided: answered, failed, or ended by its subscriber. */
		private boolean over;

		private boolean reported;

		HedgeRace(HedgeStage stage, @Nullable RetryContext retryContext) {
			this.stage = stage;
			this.retryContext = retryContext;
		}

		/** Runner {@code index} of the attempt, whose signals go through this race. */
		<T> Flux<T> runner(int index, Flux<T> attempt) {
			return attempt.switchOnFirst((first, runner) -> {
				if (first.isOnError()) {
					return runner;
				}
				if (claim(index)) {
					// The hedges are reported before the answer goes on to the subscriber.
					ended();
					return runner;
				}
				// Another runner answered first: this one is cancelled as the race ends.
				return Flux.<T>never();
			}).onErrorResume((failure) -> failed(index, failure));
		}

		/** A hedge's delay passed: whether it may start. */
		synchronized boolean reserve(int index) {
			if (this.over || this.stage.watchdog().isClosed() || !this.stage.mayHedge()) {
				return false;
			}
			this.started++;
			return true;
		}

		/** Runner {@code index} answered first: it wins, unless another did. */
		private synchronized boolean claim(int index) {
			if (this.winner >= 0 || this.over) {
				return false;
			}
			this.winner = index;
			this.over = true;
			return true;
		}

		private <T> Publisher<T> failed(int index, Throwable failure) {
			Throwable ending;
			synchronized (this) {
				if (this.winner == index) {
					// The winner failed after answering (a Flux, part way): its failure is the attempt's.
					return Flux.error(failure);
				}
				if (this.firstFailure == null) {
					this.firstFailure = failure;
				}
				this.failed++;
				if (this.over || this.failed < this.started) {
					return Flux.never();
				}
				this.over = true;
				ending = this.firstFailure;
			}
			ended();
			return Flux.error(ending);
		}

		/**
		 * The race ended (answered, failed or cancelled): each hedge reserved is reported, once,
		 * before the answer goes on, also one still subscribing (it lost, and is cancelled).
		 */
		void ended() {
			int started;
			int winner;
			synchronized (this) {
				if (this.reported) {
					return;
				}
				this.reported = true;
				this.over = true;
				started = this.started;
				winner = this.winner;
			}
			if (started == 1) {
				return;
			}
			// Hedges are reserved in the order of their delays; the winner's index also counts any
			// the budget refused before it, which moves its report among the others, never the count.
			int hedges = started - 1;
			int won = (winner > 0) ? Math.min(winner, hedges) : 0;
			RetryContext.resume(this.retryContext);
			try {
				for (int hedge = 1; hedge <= hedges; hedge++) {
					this.stage.hedged(hedge == won);
				}
			}
			finally {
				RetryContext.leave(this.retryContext);
			}
		}

	}

}
