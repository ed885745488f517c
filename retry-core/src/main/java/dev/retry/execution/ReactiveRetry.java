package dev.retry.execution;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import dev.retry.AttemptTimeoutException;
import dev.retry.RejectedResultException;
import dev.retry.breaker.CircuitBreaker;
import dev.retry.event.CallObserver;
import dev.retry.event.Outcome;
import dev.retry.internal.Failures;
import dev.retry.time.Scheduler;
import dev.retry.time.Ticker;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxOperator;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.SignalType;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.Context;
import reactor.util.retry.Retry;

/**
 * Retries Reactor publishers by resubscribing, under the same policy semantics as
 * {@link RetryExecutor#call}: classification, backoff with jitter, Retry-After, deadline, budget,
 * breaker (taken per subscription), listeners and fallback, decided and ended in the same places.
 * Waits are scheduled on the runtime's {@link dev.retry.time.Scheduler}, holding no thread. Each
 * subscription is a call of its own. A subscription that receives at least one element and then
 * cancels ({@code next()}, {@code take(1)}, {@code blockFirst()}) is a success; one that cancels
 * before any element is cancelled, with no outcome. Needs {@code reactor-core} on the classpath.
 *
 * <pre>{@code
 * Mono<Price> price = ReactiveRetry.mono(executor, webClient.get().uri("/price/{sku}", sku).retrieve()
 *     .bodyToMono(Price.class), null, null);
 * }</pre>
 *
 * Inside the source, the call's {@link RetryContext} is in the Reactor context under the key
 * {@code RetryContext.class}, and the attempt, when the executor's observer follows it, under
 * {@code CallObserver.ObservedAttempt.class}: a source whose work runs on threads of its own (a
 * coroutine) opens it there. Each followed attempt is current on the thread that subscribes it.
 */
public final class ReactiveRetry {

	private ReactiveRetry() {
	}

	/**
	 * Retries {@code source} by resubscription.
	 * @param context passed to the fallback
	 * @param fallback answers instead of the final failure with a {@code Mono} of its own; may be {@code null}
	 */
	public static <C, T> Mono<T> mono(RetryExecutor executor, Mono<T> source, C context,
			@Nullable Fallback<? super C> fallback) {
		return Mono.fromDirect(flux(executor, Flux.from(source), context, fallback));
	}

	/**
	 * Retries {@code source} by resubscription: a retried {@code Flux} emits again from its start,
	 * as with Reactor's own {@code retry}.
	 * @param context passed to the fallback
	 * @param fallback answers instead of the final failure with a publisher of its own; may be {@code null}
	 */
	public static <C, T> Flux<T> flux(RetryExecutor executor, Flux<T> source, C context,
			@Nullable Fallback<? super C> fallback) {
		CallObserver observer = executor.observer();
		// Attempts are followed by the observer of every call, or from the first retry on by one of
		// retries: the chain observes them (ObservationStage) when either is there.
		CallObserver following = (observer != null) ? observer : executor.retryObserver();
		Flux<T> attempt = through(executor.getChain(), source);
		return Flux.deferContextual((subscriberContext) -> {
			executor.recordCall();
			Subscription call = new Subscription(executor, fallback);
			if (observer != null) {
				Object key = observer.contextKey();
				call.observed = observer.startAsync(executor.getTarget(),
						(key != null) ? subscriberContext.getOrDefault(key, null) : null);
			}
			Flux<T> retried = attempt
				.retryWhen(Retry.from((signals) -> signals.concatMap((signal) -> call.attemptFailed(signal.failure()))))
				.doOnNext(call)
				.doOnComplete(call::succeeded)
				// After the cancellation reached the attempt: its hedges and its observation end first,
				// as when a future's caller gives up, and only then the call.
				.doFinally((signal) -> {
					if (signal == SignalType.CANCEL) {
						call.cancelled();
					}
				})
				.onErrorResume((failure) -> call.ended(failure, context));
			if (following != null) {
				retried = retried.contextWrite(Context.of(Subscription.class, call));
			}
			return (call.context != null) ? retried.contextWrite(Context.of(RetryContext.class, call.context)) : retried;
		});
	}

	/**
	 * Each subscription of the source (each attempt, each hedge) followed by the call's observer,
	 * carrying the attempt in its context so that a reactive client nests under it, and with the
	 * attempt current on the thread while it subscribes, so that what runs at subscription (a
	 * {@code Mono.fromCallable}, a suspend function's body up to its first suspension) is inside it.
	 */
	private static <T> Flux<T> observed(CallObserver observer, Flux<T> source) {
		return Flux.deferContextual((context) -> {
			Subscription call = context.getOrDefault(Subscription.class, null);
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
			ObservedRun run = new ObservedRun(attempt);
			return new SubscribedInside<>(carried, attempt).doOnNext(run)
				.doOnError(run::failed)
				.doOnComplete(run::completed)
				.doOnCancel(run::cancelled);
		});
	}

	/**
	 * One observed subscription, ended once by whichever signal comes first: a cancellation after
	 * an element (the subscriber took what it wanted) is an answer, as for the breaker.
	 */
	private static final class ObservedRun extends AtomicBoolean implements Consumer<Object> {

		private static final long serialVersionUID = 1L;

		private final transient CallObserver.ObservedAttempt attempt;

		private volatile boolean emitted;

		ObservedRun(CallObserver.ObservedAttempt attempt) {
			this.attempt = attempt;
		}

		@Override
		public void accept(Object element) {
			if (!this.emitted) {
				this.emitted = true;
			}
		}

		void failed(Throwable failure) {
			end(Failures.unwrap(failure));
		}

		void completed() {
			end(null);
		}

		void cancelled() {
			end(this.emitted ? null : new java.util.concurrent.CancellationException("attempt cancelled"));
		}

		private void end(@Nullable Throwable failure) {
			if (compareAndSet(false, true)) {
				this.attempt.end(failure);
			}
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

	/**
	 * Puts each subscription (each attempt) through the stages of the chain, outermost first: the
	 * Reactor form of every stage is here, so that the stages themselves need no Reactor.
	 */
	private static <T> Flux<T> through(@Nullable AttemptStage stage, Flux<T> source) {
		if (stage == null) {
			return source;
		}
		Flux<T> inner = through(stage.next(), source);
		if (stage instanceof BreakerStage breaker) {
			return guarded(breaker.breaker(), inner);
		}
		if (stage instanceof TimeoutStage timeout) {
			return timedOut(timeout, inner);
		}
		if (stage instanceof ObservationStage observation) {
			return observed(observation.observer(), inner);
		}
		if (stage instanceof ResultStage result) {
			return checked(result, inner);
		}
		if (stage instanceof HedgeStage hedge) {
			return hedged(hedge, inner);
		}
		throw new IllegalStateException("No Reactor form for " + stage.getClass().getName());
	}

	/** Fails a subscription whose value the method's {@code retryOnResult} predicate rejects. */
	private static <T> Flux<T> checked(ResultStage stage, Flux<T> attempt) {
		return attempt.handle((value, sink) -> {
			if (stage.rejects(value)) {
				sink.error(new RejectedResultException(value));
			}
			else {
				sink.next(value);
			}
		});
	}

	/**
	 * Fails a subscription whose first element (a {@code Mono}'s value) has not come within the
	 * attempt timeout with {@link AttemptTimeoutException}, cancelling it.
	 */
	private static <T> Flux<T> timedOut(TimeoutStage stage, Flux<T> attempt) {
		Mono<Long> timeout = Mono.create((sink) -> {
			TimeoutStage.Alarm alarm = stage.alarm(() -> sink.success(0L));
			sink.onCancel(alarm::cancel);
		});
		return attempt.timeout(timeout, (element) -> Mono.never(),
				Flux.defer(() -> Flux.error(new AttemptTimeoutException(stage.timeout(), null))));
	}

	/**
	 * Subscribes to the attempt, and again after each hedge delay while no runner has answered (up
	 * to max-hedges, each paid from the budget, none once the watchdog is closed). The first runner
	 * to answer (a value, or completing empty) is used and the others are cancelled; a runner that
	 * fails leaves the race to the others, and when every runner started has failed the attempt
	 * fails at once with the first failure, starting no further hedge. Each hedge's end is reported
	 * with the call's {@link RetryContext} current.
	 */
	private static <T> Flux<T> hedged(HedgeStage stage, Flux<T> attempt) {
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

		/** Runners reserved: the attempt, and each hedge whose delay passed; a failure waits for them. */
		private int started = 1;

		/** The hedges that subscribed: those reported, won or lost. */
		private final java.util.BitSet ran = new java.util.BitSet();

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
			Flux<T> subscribed = (index == 0) ? attempt : attempt.doOnSubscribe((subscription) -> ran(index));
			return subscribed.switchOnFirst((first, runner) -> {
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

		/** Hedge {@code index} subscribed; one that did so as the race ended lost it, and is reported now. */
		private void ran(int index) {
			synchronized (this) {
				if (!this.reported) {
					this.ran.set(index);
					return;
				}
			}
			report(index, false);
		}

		private void report(int index, boolean won) {
			RetryContext.resume(this.retryContext);
			try {
				this.stage.hedged(won);
			}
			finally {
				RetryContext.leave(this.retryContext);
			}
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

		/** The race ended (answered, failed or cancelled): each hedge that ran is reported, once. */
		void ended() {
			java.util.BitSet ran;
			int winner;
			synchronized (this) {
				if (this.reported) {
					return;
				}
				this.reported = true;
				this.over = true;
				ran = (java.util.BitSet) this.ran.clone();
				winner = this.winner;
			}
			if (ran.isEmpty()) {
				return;
			}
			RetryContext.resume(this.retryContext);
			try {
				for (int index = ran.nextSetBit(0); index >= 0; index = ran.nextSetBit(index + 1)) {
					this.stage.hedged(index == winner);
				}
			}
			finally {
				RetryContext.leave(this.retryContext);
			}
		}

	}

	/** Passes each subscription to {@code source} through the breaker. */
	public static <T> Mono<T> guarded(CircuitBreaker breaker, Mono<T> source) {
		return Mono.fromDirect(guarded(breaker, Flux.from(source)));
	}

	/**
	 * Passes each subscription to {@code source} through the breaker: rejected at once when it does
	 * not let the call through, else a success when the source completes or when the subscriber
	 * cancels after at least one element, a failure when the source fails; a subscriber that cancels
	 * before any element gives the permit back and counts neither way.
	 */
	public static <T> Flux<T> guarded(CircuitBreaker breaker, Flux<T> source) {
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

	/**
	 * One subscription: its attempts run one after another, so its fields need no locking; only a
	 * cancelling subscriber runs beside them, and the outcome is settled once.
	 */
	private static final class Subscription extends RetryExecutor.Progress implements Consumer<Object> {

		private final RetryExecutor executor;

		private final @Nullable Fallback<?> fallback;

		final @Nullable RetryContext context;

		private final AtomicBoolean settled = new AtomicBoolean();

		private volatile boolean emitted;

		/** Whether the call ended in a failure its fallback answers. */
		private boolean fallbackAnswers;

		Subscription(RetryExecutor executor, @Nullable Fallback<?> fallback) {
			super(executor.startTime());
			this.executor = executor;
			this.fallback = fallback;
			this.context = executor.retries()
					? RetryContext.detached(executor.getTarget(), executor.maxAttempts()) : null;
		}

		@Override
		public void accept(Object element) {
			if (!this.emitted) {
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
				this.executor.attemptFailed(this, Failures.unwrap(failure));
				if (this.executor.planRetry(this)) {
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
			Scheduler scheduler = this.executor.scheduler();
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
			Throwable thrown = this.executor.end(this, this.fallback);
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
				this.executor.cancelled(this, this.attempted);
			}
			finally {
				RetryContext.leave(this.context);
				RetryContext.end(this.context);
			}
		}

		private void outcome(Outcome outcome) {
			RetryContext.resume(this.context);
			try {
				this.executor.completed(this, outcome, this.attempted, null);
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




	}

}
