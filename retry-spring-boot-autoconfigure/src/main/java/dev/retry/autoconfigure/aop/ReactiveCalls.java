package dev.retry.autoconfigure.aop;

import dev.retry.breaker.CircuitBreaker;
import dev.retry.execution.Fallback;
import dev.retry.execution.ReactiveRetry;
import dev.retry.execution.RetryExecutor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
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

	/** The method runs once; each subscription to what it returns is retried by resubscription. */
	static @Nullable Object retried(CallStyle style, RetryExecutor executor, MethodInvocation invocation,
			@Nullable Fallback<MethodInvocation> fallback) throws Throwable {
		Object source = invocation.proceed();
		if (source == null) {
			return null;
		}
		return (style == CallStyle.MONO) ? ReactiveRetry.mono(executor, (Mono<?>) source, invocation, fallback)
				: ReactiveRetry.flux(executor, (Flux<?>) source, invocation, fallback);
	}

	/** Each subscription passes through the breaker; the fallback answers for what it handles. */
	@SuppressWarnings("unchecked")
	static @Nullable Object guarded(CallStyle style, CircuitBreaker breaker, MethodInvocation invocation,
			@Nullable Fallback<MethodInvocation> fallback) throws Throwable {
		Object source = invocation.proceed();
		if (source == null) {
			return null;
		}
		return (style == CallStyle.MONO) ? ReactiveRetry.guarded(breaker, (Mono<Object>) source, invocation, fallback)
				: ReactiveRetry.guarded(breaker, (Flux<Object>) source, invocation, fallback);
	}

}
