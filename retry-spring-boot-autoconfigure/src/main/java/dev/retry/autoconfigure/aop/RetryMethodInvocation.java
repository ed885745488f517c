package dev.retry.autoconfigure.aop;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.aop.framework.ReflectiveMethodInvocation;
import org.springframework.core.KotlinDetector;
import org.springframework.util.ReflectionUtils;

/**
 * A fresh invocation of the interceptors that come after ours in a proxy's chain, then the target:
 * what a retry runs. The original invocation cannot be replayed once it has proceeded. The target
 * is called through a method handle rather than reflection, so that a failing target does not pay
 * for a second exception (reflection's {@code InvocationTargetException}) on every retry.
 */
final class RetryMethodInvocation extends ReflectiveMethodInvocation {

	private final @Nullable MethodHandle joinpoint;

	RetryMethodInvocation(Object proxy, @Nullable Object target, Method method, @Nullable Object[] arguments,
			@Nullable Class<?> targetClass, List<Object> remainingChain, @Nullable MethodHandle joinpoint) {
		super(proxy, target, method, arguments, targetClass, remainingChain);
		this.joinpoint = joinpoint;
	}

	@Override
	protected @Nullable Object invokeJoinpoint() throws Throwable {
		MethodHandle joinpoint = this.joinpoint;
		return (joinpoint != null) ? (Object) joinpoint.invokeExact(getThis(), getArguments())
				: super.invokeJoinpoint();
	}

	/**
	 * A handle calling the method on a target with an argument array, {@code (Object, Object[])Object},
	 * or {@code null} when the method cannot be unreflected (reflection is used then).
	 */
	static @Nullable MethodHandle joinpoint(Method method) {
		if (KotlinDetector.isSuspendingFunction(method)) {
			// Reflection it is: Spring's AopUtils runs a suspend function as a Mono.
			return null;
		}
		try {
			ReflectionUtils.makeAccessible(method);
			// Fixed arity: the arguments array holds a varargs parameter as one array already, as
			// reflection's invoke takes it; a variable-arity handle would collect it into another.
			MethodHandle handle = MethodHandles.lookup().unreflect(method).asFixedArity();
			return handle.asType(MethodType.genericMethodType(method.getParameterCount() + 1))
				.asSpreader(Object[].class, method.getParameterCount());
		}
		catch (IllegalAccessException | RuntimeException ex) {
			return null;
		}
	}

}
