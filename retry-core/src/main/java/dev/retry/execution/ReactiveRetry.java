package dev.retry.execution;

import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.retry.breaker.CircuitBreaker;
import dev.retry.event.Outcome;
import dev.retry.internal.Failures;
import dev.retry.time.Ticker;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;
import reactor.util.retry.Retry;

/**
 * Retries Reactor publishers by resubscribing, under the same policy semantics as
 * {@link RetryExecutor#call}: classification, backoff with jitter, Retry-After, deadline, budget,
 * breaker (taken per subscription), listeners and fallback. Waits are scheduled on the runtime's
 * {@link dev.retry.time.Scheduler}, holding no thread. Each subscription is a call of its own.
 * Needs {@code reactor-core} on the classpath.
 *
 * <pre>{@code
 * Mono<Price> price = ReactiveRetry.mono(executor, webClient.get().uri("/price/{sku}", sku).retrieve()
 *     .bodyToMono(Price.class), null, null);
 * }</pre>
 *
 * Inside the source, the call's {@link RetryContext} is in the Reactor context under the key
 * {@code RetryContext.class}.
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
		CircuitBreaker breaker = executor.getBreaker();
		Flux<T> attempt = (breaker != null) ? guarded(breaker, source) : source;
		return Flux.defer(() -> {
			executor.recordCall();
			Subscription call = new Subscription(executor);
			return attempt.retryWhen(Retry.from((signals) -> signals.concatMap((signal) -> call.failed(signal.failure()))))
				.doOnComplete(call::succeeded)
				.onErrorResume((failure) -> call.ended(failure, context, fallback))
				.contextWrite(Context.of(RetryContext.class, call.context));
		});
	}

	/** Passes each subscription to {@code source} through the breaker. */
	public static <T> Mono<T> guarded(CircuitBreaker breaker, Mono<T> source) {
		return Mono.fromDirect(guarded(breaker, Flux.from(source)));
	}

	/**
	 * Passes each subscription to {@code source} through the breaker; the fallback answers, with a
	 * {@code Mono} of its own, for the failures and rejections it handles.
	 * @param context passed to the fallback
	 */
	public static <C, T> Mono<T> guarded(CircuitBreaker breaker, Mono<T> source, C context,
			@Nullable Fallback<? super C> fallback) {
		return Mono.fromDirect(guarded(breaker, Flux.from(source), context, fallback));
	}

	/**
	 * Passes each subscription to {@code source} through the breaker; the fallback answers, with a
	 * publisher of its own, for the failures and rejections it handles.
	 * @param context passed to the fallback
	 */
	public static <C, T> Flux<T> guarded(CircuitBreaker breaker, Flux<T> source, C context,
			@Nullable Fallback<? super C> fallback) {
		Flux<T> guarded = guarded(breaker, source);
		return (fallback != null) ? guarded.onErrorResume(fallback::handles,
				(failure) -> answer(fallback, context, Failures.unwrap(failure))) : guarded;
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

	/**
	 * Passes each subscription to {@code source} through the breaker: rejected at once when it does
	 * not let the call through, else counted when the source completes or fails; a cancelled
	 * subscription counts neither way.
	 */
	public static <T> Flux<T> guarded(CircuitBreaker breaker, Flux<T> source) {
		Ticker ticker = breaker.getTicker();
		return Flux.defer(() -> {
			CircuitBreaker.Phase admitted = breaker.tryAcquire();
			if (admitted == null) {
				return Flux.error(breaker.rejection());
			}
			long start = ticker.nanoTime();
			AtomicBoolean settled = new AtomicBoolean();
			return source.doOnComplete(() -> {
				if (settled.compareAndSet(false, true)) {
					breaker.onSuccess(admitted, ticker.nanoTime() - start);
				}
			}).doOnError((failure) -> {
				if (settled.compareAndSet(false, true)) {
					breaker.onFailure(admitted, failure, ticker.nanoTime() - start);
				}
			}).doOnCancel(() -> {
				if (settled.compareAndSet(false, true)) {
					breaker.release(admitted);
				}
			});
		});
	}

	/** One subscription: its attempts run one after another, so its fields need no locking. */
	private static final class Subscription extends RetryExecutor.Progress {

		private final RetryExecutor executor;

		final RetryContext context;

		Subscription(RetryExecutor executor) {
			super(executor.startTime());
			this.executor = executor;
			this.context = RetryContext.detached(executor.getTarget(), executor.maxAttempts());
		}

		/** Another attempt after a wait, or the call's final failure. */
		Publisher<?> failed(Throwable failure) {
			RetryContext.resume(this.context);
			try {
				failed(failure, this.executor.wraps());
				if (this.executor.planRetry(this)) {
					long delay = this.delay;
					return Mono.create((sink) -> {
						Future<?> timer = this.executor.scheduler().schedule(() -> {
							next(this.context);
							sink.success(delay);
						}, delay);
						sink.onCancel(() -> timer.cancel(false));
					});
				}
				this.executor.completed(this.stop, this.attempts, this.failure);
				return Mono.error(this.executor.finalFailure(this));
			}
			finally {
				RetryContext.leave();
			}
		}

		void succeeded() {
			RetryContext.resume(this.context);
			try {
				this.executor.completed((this.attempted == 1) ? Outcome.SUCCESS : Outcome.SUCCESS_AFTER_RETRY,
						this.attempted, null);
			}
			finally {
				RetryContext.leave();
				this.context.end();
			}
		}

		<C, T> Publisher<T> ended(Throwable error, C context, @Nullable Fallback<? super C> fallback) {
			this.context.end();
			Throwable failure = this.failure;
			if (fallback == null || this.stop == null || failure == null || !fallback.handles(failure)) {
				return Flux.error(error);
			}
			return answer(fallback, context, failure);
		}

	}

}
