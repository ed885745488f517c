package dev.retry.autoconfigure.aop;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.retry.breaker.CircuitBreaker;
import dev.retry.execution.Attempt;
import dev.retry.internal.Failures;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

/**
 * Passes calls of one method with {@code @CircuitBreaker} (and no {@code @Retryable}) through its
 * shared breaker. The fallback, when there is one, answers for failures and for rejections alike.
 */
final class CircuitBreakerMethodInterceptor implements MethodInterceptor {

	private static final Attempt<MethodInvocation, Object> PROCEED = (invocation, attempt) -> invocation.proceed();

	@SuppressWarnings("unchecked")
	private static final Attempt<MethodInvocation, CompletionStage<Object>> PROCEED_STAGE = (invocation,
			attempt) -> (CompletionStage<Object>) invocation.proceed();

	private final CircuitBreaker breaker;

	private final CallStyle style;

	private final @Nullable BeanFallback fallback;

	CircuitBreakerMethodInterceptor(CircuitBreaker breaker, CallStyle style, @Nullable BeanFallback fallback) {
		this.breaker = breaker;
		this.style = style;
		this.fallback = fallback;
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		if (this.style == CallStyle.STAGE) {
			return stage(invocation);
		}
		if (this.style != CallStyle.DIRECT) {
			return ReactiveCalls.guarded(this.style, this.breaker, invocation, this.fallback);
		}
		try {
			return this.breaker.execute(invocation, PROCEED, 1);
		}
		catch (Throwable failure) {
			BeanFallback fallback = this.fallback;
			if (fallback != null && fallback.handles(failure)) {
				return fallback.apply(invocation, failure);
			}
			throw failure;
		}
	}

	private CompletionStage<Object> stage(MethodInvocation invocation) {
		CompletionStage<Object> stage = this.breaker.executeAsync(invocation, PROCEED_STAGE, 1);
		BeanFallback fallback = this.fallback;
		if (fallback == null) {
			return stage;
		}
		return stage.exceptionallyCompose((error) -> {
			Throwable failure = Failures.unwrap(error);
			return fallback.handles(failure) ? fallback.applyAsync(invocation, failure)
					: CompletableFuture.failedFuture(failure);
		});
	}

}
