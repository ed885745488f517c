package dev.retry.autoconfigure.aop;

import dev.retry.breaker.CircuitBreaker;
import dev.retry.execution.Attempt;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

/**
 * Passes calls of one method with {@code @CircuitBreaker} (and no {@code @Retryable}) through its
 * shared breaker. The fallback, when there is one, answers for failures and for rejections alike.
 */
final class CircuitBreakerMethodInterceptor implements MethodInterceptor {

	private static final Attempt<MethodInvocation, Object> PROCEED = (invocation, attempt) -> invocation.proceed();

	private final CircuitBreaker breaker;

	private final @Nullable BeanFallback fallback;

	CircuitBreakerMethodInterceptor(CircuitBreaker breaker, @Nullable BeanFallback fallback) {
		this.breaker = breaker;
		this.fallback = fallback;
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
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

}
