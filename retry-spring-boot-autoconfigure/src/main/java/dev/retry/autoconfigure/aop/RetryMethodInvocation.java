package dev.retry.autoconfigure.aop;

import java.lang.reflect.Method;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.aop.framework.ReflectiveMethodInvocation;

/**
 * A fresh invocation of the interceptors that come after ours in a proxy's chain, then the target:
 * what a retry runs. The original invocation cannot be replayed once it has proceeded.
 */
final class RetryMethodInvocation extends ReflectiveMethodInvocation {

	RetryMethodInvocation(Object proxy, @Nullable Object target, Method method, @Nullable Object[] arguments,
			@Nullable Class<?> targetClass, List<Object> remainingChain) {
		super(proxy, target, method, arguments, targetClass, remainingChain);
	}

}
