package dev.retry.autoconfigure.aop;

import java.util.concurrent.atomic.AtomicBoolean;

import dev.retry.execution.Attempt;
import dev.retry.execution.Fallback;
import dev.retry.execution.ReactiveRetry;
import dev.retry.execution.RetryExecutor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The Reactor side of the interceptors, in a class of its own so that nothing loads Reactor unless
 * an annotated method returns {@code Mono} or {@code Flux}.
 */
final class ReactiveCalls {

	private ReactiveCalls() {
	}

	static @Nullable CallStyle styleOf(Class<?> type) {
		if (type == Mono.class) {
			return CallStyle.MONO;
		}
		if (type == Flux.class) {
			return CallStyle.FLUX;
		}
		return null;
	}

	/**
	 * The method runs once; each subscription to what it returns is a call, retried by
	 * resubscription. A method that throws instead of returning its publisher makes a failed first
	 * attempt, and each later attempt invokes it again, as for a {@code CompletableFuture} method.
	 */
	static @Nullable Object call(CallStyle style, boolean suspending, RetryExecutor executor,
			MethodInvocation invocation, Attempt<MethodInvocation, Object> attempt,
			@Nullable Fallback<MethodInvocation> fallback) {
		if (suspending && executor.followsAttempts()) {
			// A suspend function's body runs where its dispatcher says: its attempts go with it.
			SuspendingAttempts.carriedBy(invocation);
		}
		Publisher<Object> source;
		try {
			Object publisher = invocation.proceed();
			if (publisher == null) {
				return null;
			}
			source = publisher(publisher);
		}
		catch (Throwable thrown) {
			source = invokingAgain(invocation, attempt, thrown);
		}
		// A Mono is retried as one: its value is its answer, recorded before the value goes on.
		return (style == CallStyle.MONO) ? ReactiveRetry.mono(executor, Mono.fromDirect(source), invocation, fallback)
				: ReactiveRetry.flux(executor, Flux.from(source), invocation, fallback);
	}

	/** Fails the first subscription with what the method threw, then invokes the method for each next one. */
	private static Flux<Object> invokingAgain(MethodInvocation invocation, Attempt<MethodInvocation, Object> attempt,
			Throwable thrown) {
		AtomicBoolean first = new AtomicBoolean(true);
		return Flux.defer(() -> {
			if (first.compareAndSet(true, false)) {
				return Flux.error(thrown);
			}
			try {
				Object publisher = attempt.run(invocation, 2);
				return (publisher != null) ? Flux.from(publisher(publisher))
						: Flux.error(new NullPointerException("the method returned null instead of a publisher"));
			}
			catch (Throwable again) {
				return Flux.error(again);
			}
		});
	}

	@SuppressWarnings("unchecked")
	private static Publisher<Object> publisher(Object publisher) {
		return (Publisher<Object>) publisher;
	}

}
