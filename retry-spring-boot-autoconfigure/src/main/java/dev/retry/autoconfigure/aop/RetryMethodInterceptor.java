package dev.retry.autoconfigure.aop;

import java.lang.invoke.MethodHandle;
import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.CompletionStage;

import dev.retry.execution.Attempt;
import dev.retry.execution.RetryExecutor;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.aop.framework.Advised;
import org.springframework.aop.framework.AdvisedSupport;
import org.springframework.aop.framework.DefaultAdvisorChainFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.core.KotlinDetector;

/**
 * Intercepts one annotated method, for every instance of its bean: retries, a breaker, or both,
 * as its executor says (a breaker alone is an executor that never retries). Everything the call
 * needs (policy, classifier, fallback, names) was resolved when the first bean was created, so a
 * call finds it without any look-up. The first attempt proceeds down the proxy's chain as usual; a
 * retry runs a fresh invocation of the interceptors after this one (a transaction interceptor, say)
 * and then the target. A method returning a {@code CompletionStage} is invoked again for each
 * attempt, from the scheduler's thread after a wait; one returning {@code Mono} or {@code Flux} is
 * invoked once and resubscribed (invoked again only when it threw instead of returning its
 * publisher).
 */
final class RetryMethodInterceptor implements MethodInterceptor, Attempt<MethodInvocation, Object> {

	/** The plan of every call: replaced whole when its policy is re-tuned; a call keeps the one it read. */
	private volatile RetryExecutor executor;

	private final @Nullable BeanFallback fallback;

	@SuppressWarnings("unchecked")
	private final Attempt<MethodInvocation, CompletionStage<Object>> stageAttempt = (invocation,
			number) -> (CompletionStage<Object>) run(invocation, number);

	private final CallStyle style;

	/** The last proxy chain seen and what follows this interceptor in it. */
	private volatile @Nullable RemainingChain remainingChain;

	private final @Nullable MethodHandle joinpoint;

	/** Whether the method is a Kotlin suspend function, run by Spring as a coroutine. */
	private final boolean suspending;

	RetryMethodInterceptor(Method method, CallStyle style, RetryExecutor executor, @Nullable BeanFallback fallback) {
		this.style = style;
		this.executor = executor;
		this.fallback = fallback;
		this.joinpoint = RetryMethodInvocation.joinpoint(method);
		this.suspending = KotlinDetector.isSuspendingFunction(method);
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		RetryExecutor executor = this.executor;
		if (this.style == CallStyle.DIRECT) {
			// The interceptor is the attempt itself: one frame less on every call, so the JIT inlines the chain.
			return executor.call(invocation, this, this.fallback);
		}
		if (this.style == CallStyle.STAGE) {
			return executor.callAsync(invocation, this.stageAttempt, this.fallback);
		}
		return ReactiveCalls.call(this.style, this.suspending, executor, invocation, this, this.fallback);
	}

	/** Calls from now on run under {@code executor}; calls in flight finish under the one they started with. */
	void replan(RetryExecutor executor) {
		this.executor = executor;
	}

	/** One attempt: the first proceeds down the proxy's chain, a retry replays what follows this interceptor. */
	@Override
	public Object run(MethodInvocation invocation, int attempt) throws Throwable {
		return (attempt == 1) ? first(invocation) : replay(invocation);
	}

	/**
	 * The first attempt. When this interceptor is the last of the proxy's chain (the usual case),
	 * the target is called through the method handle, as {@code proceed()} would through reflection
	 * but without its access checks and accessor call; otherwise the chain proceeds.
	 */
	private Object first(MethodInvocation invocation) throws Throwable {
		MethodHandle joinpoint = this.joinpoint;
		Object target = invocation.getThis();
		if (joinpoint != null && target != null && ChainPosition.isLast(invocation)) {
			return (Object) joinpoint.invokeExact(target, invocation.getArguments());
		}
		return invocation.proceed();
	}

	private Object replay(MethodInvocation invocation) throws Throwable {
		if (invocation instanceof ProxyMethodInvocation proxyInvocation
				&& proxyInvocation.getProxy() instanceof Advised advised) {
			Object target = invocation.getThis();
			Class<?> targetClass = (target != null) ? AopUtils.getTargetClass(target) : null;
			return new RetryMethodInvocation(proxyInvocation.getProxy(), target, invocation.getMethod(),
					invocation.getArguments(), targetClass, remainingChain(advised, invocation, targetClass),
					this.joinpoint)
				.proceed();
		}
		// An opaque proxy hides its chain: call the target directly.
		return AopUtils.invokeJoinpointUsingReflection(invocation.getThis(), invocation.getMethod(),
				invocation.getArguments());
	}

	/**
	 * What follows this interceptor in the proxy's chain. Bean instances sharing this interceptor
	 * have proxies of their own: the answer is kept for the last chain seen (a proxy's chain for a
	 * method is cached by Spring, so the same list comes back for the same proxy).
	 */
	private List<Object> remainingChain(Advised advised, MethodInvocation invocation, @Nullable Class<?> targetClass) {
		List<Object> chain = (advised instanceof AdvisedSupport support)
				? support.getInterceptorsAndDynamicInterceptionAdvice(invocation.getMethod(), targetClass)
				: DefaultAdvisorChainFactory.INSTANCE.getInterceptorsAndDynamicInterceptionAdvice(advised,
						invocation.getMethod(), targetClass);
		RemainingChain known = this.remainingChain;
		if (known != null && known.chain() == chain) {
			return known.remaining();
		}
		int self = chain.indexOf(this);
		List<Object> remaining = List.copyOf(chain.subList(self + 1, chain.size()));
		this.remainingChain = new RemainingChain(chain, remaining);
		return remaining;
	}

	private record RemainingChain(List<Object> chain, List<Object> remaining) {
	}

}
