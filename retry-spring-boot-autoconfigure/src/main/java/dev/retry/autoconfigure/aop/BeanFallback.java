package dev.retry.autoconfigure.aop;

import java.lang.invoke.MethodHandle;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import dev.retry.autoconfigure.diagnostics.RetryConfigurationException;
import dev.retry.execution.Fallback;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.core.CoroutinesUtils;
import org.springframework.core.KotlinDetector;
import org.springframework.core.ResolvableType;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * A fallback method on the same bean, resolved and checked once at start-up: it takes the
 * method's own parameters, optionally followed by one {@link Throwable} (or subtype, which then
 * limits the failures it handles), and returns a type assignable to the method's. For a method of
 * an interface no class of the application implements (an HTTP service client, a repository), it
 * is a {@code default} method of the interface, run on the bean's proxy: there is no object of
 * the application to run it on.
 */
final class BeanFallback implements Fallback<MethodInvocation> {

	private final Method fallback;

	private final @Nullable Class<?> failureType;

	/** Whether the method is a Kotlin suspend function: its last argument, the continuation, is not passed on. */
	private final boolean suspendingMethod;

	/** Whether the fallback is a suspend function, run as a Mono. */
	private final boolean suspendingFallback;

	/** For a default method of an interface: its body, run on the proxy; else {@code null}. */
	private final @Nullable MethodHandle defaultMethod;

	private BeanFallback(Method fallback, @Nullable Class<?> failureType, boolean suspendingMethod,
			boolean onProxy) {
		this.fallback = fallback;
		this.failureType = failureType;
		this.suspendingMethod = suspendingMethod;
		this.suspendingFallback = KotlinDetector.isSuspendingFunction(fallback);
		this.defaultMethod = (onProxy && !this.suspendingFallback) ? DefaultMethods.handle(fallback) : null;
		ReflectionUtils.makeAccessible(fallback);
	}

	/**
	 * The parameters as the source declares them, seen from the bean's type: a type variable of a
	 * generic super-type resolved ({@code ID} of {@code Crud<T, ID>} is {@code String} for a
	 * {@code StockClient extends Crud<Stock, String>}, whose fallback takes a {@code String}); a
	 * suspend function's continuation left out.
	 */
	private static Class<?>[] declaredParameters(Method method, Class<?> beanClass) {
		int count = method.getParameterCount() - (KotlinDetector.isSuspendingFunction(method) ? 1 : 0);
		Class<?>[] parameters = new Class<?>[count];
		for (int i = 0; i < count; i++) {
			parameters[i] = ResolvableType.forMethodParameter(method, i, beanClass).toClass();
		}
		return parameters;
	}

	/** The return type, seen from the bean's type as {@link #declaredParameters} sees the parameters. */
	private static Class<?> returnType(Method method, Class<?> beanClass) {
		return (method.getReturnType() == void.class) ? void.class
				: ResolvableType.forMethodReturnType(method, beanClass).toClass();
	}

	/**
	 * Finds the fallback named in an annotation.
	 * @throws RetryConfigurationException when there is none, it is ambiguous, or it does not fit
	 */
	static BeanFallback resolve(Class<?> beanClass, Method method, String name, String annotation) {
		boolean suspending = KotlinDetector.isSuspendingFunction(method);
		Class<?>[] parameters = declaredParameters(method, beanClass);
		List<Method> named = new ArrayList<>();
		List<Method> fitting = new ArrayList<>();
		ReflectionUtils.doWithMethods(beanClass, (candidate) -> {
			if (candidate.getName().equals(name) && !candidate.isBridge() && !candidate.isSynthetic()) {
				named.add(candidate);
				if (acceptsParameters(declaredParameters(candidate, beanClass), parameters)) {
					fitting.add(candidate);
				}
			}
		});
		Class<?> returnType = returnType(method, beanClass);
		String expected = expectedSignature(returnType, parameters, name);
		String where = annotation + "(fallback = \"" + name + "\") on " + ClassUtils.getUserClass(beanClass).getSimpleName()
				+ "." + method.getName() + "(" + simpleNames(parameters) + ")";
		if (fitting.isEmpty()) {
			String found = named.isEmpty() ? "There is no method named '" + name + "' on "
					+ beanClass.getSimpleName() + "."
					: "Found: " + named.stream().map(MethodNames::signature).collect(Collectors.joining(", ")) + ".";
			throw new RetryConfigurationException(where + " names no matching fallback method. " + found,
					"Declare " + expected + " on " + beanClass.getSimpleName() + ".");
		}
		if (fitting.size() > 1) {
			throw new RetryConfigurationException(where + " is ambiguous: "
					+ fitting.stream().map(MethodNames::signature).collect(Collectors.joining(", ")) + " all match.",
					"Keep one fallback method named '" + name + "', or give them different names.");
		}
		Method fallback = fitting.get(0);
		if (Modifier.isStatic(fallback.getModifiers())) {
			throw new RetryConfigurationException(where + " names a static method: " + MethodNames.signature(fallback) + ".",
					"Make the fallback an instance method of the same bean: " + expected + ".");
		}
		if (beanClass.isInterface() && !fallback.isDefault()) {
			throw new RetryConfigurationException(where + " names " + MethodNames.signature(fallback) + ", which is not a "
					+ "default method: the bean is a proxy of " + beanClass.getSimpleName()
					+ " with no class of the application behind it, so a fallback needs a body in the interface.",
					"Declare the fallback as a default method of " + beanClass.getSimpleName() + ": default " + expected
							+ " { ... }.");
		}
		if (suspending) {
			if (!KotlinDetector.isSuspendingFunction(fallback)
					&& !ClassUtils.isAssignable(org.reactivestreams.Publisher.class, fallback.getReturnType())) {
				throw new RetryConfigurationException(where + " names " + MethodNames.signature(fallback)
						+ ", which is not a suspend function: " + method.getName() + " is one.",
						"Make the fallback a suspend function too (or return a Mono).");
			}
		}
		else if (!returnFits(returnType, returnType(fallback, beanClass))) {
			throw new RetryConfigurationException(where + " names " + MethodNames.signature(fallback) + ", which returns "
					+ returnType(fallback, beanClass).getSimpleName() + ": not assignable to "
					+ returnType.getSimpleName() + ", the return type of " + method.getName() + ".",
					"Declare " + expected + ".");
		}
		Class<?>[] own = declaredParameters(fallback, beanClass);
		Class<?> failureType = (own.length > parameters.length) ? own[parameters.length] : null;
		return new BeanFallback(fallback, failureType, suspending, beanClass.isInterface());
	}

	/** The proxy the call came through: the receiver of an interface's default method. */
	private static Object proxy(MethodInvocation invocation) {
		if (invocation instanceof ProxyMethodInvocation proxied) {
			return proxied.getProxy();
		}
		throw new IllegalStateException("No proxy to run the default method fallback on: " + invocation);
	}

	private static boolean acceptsParameters(Class<?>[] own, Class<?>[] parameters) {
		if (own.length != parameters.length && own.length != parameters.length + 1) {
			return false;
		}
		if (!Arrays.equals(Arrays.copyOf(own, parameters.length), parameters)) {
			return false;
		}
		return own.length == parameters.length || Throwable.class.isAssignableFrom(own[parameters.length]);
	}

	private static boolean returnFits(Class<?> methodReturn, Class<?> fallbackReturn) {
		if (methodReturn == void.class) {
			return fallbackReturn == void.class;
		}
		return ClassUtils.isAssignable(methodReturn, fallbackReturn);
	}

	private static String expectedSignature(Class<?> returnType, Class<?>[] parameterTypes, String name) {
		String parameters = simpleNames(parameterTypes);
		return returnType.getSimpleName() + " " + name + "(" + parameters + (parameters.isEmpty() ? "" : ", ")
				+ "[Throwable or a subtype])";
	}

	private static String simpleNames(Class<?>[] types) {
		return Arrays.stream(types).map(Class::getSimpleName).collect(Collectors.joining(", "));
	}

	@Override
	public boolean handles(Throwable failure) {
		return this.failureType == null || this.failureType.isInstance(failure);
	}

	@Override
	public Object apply(MethodInvocation invocation, Throwable failure) throws Throwable {
		Object[] arguments = invocation.getArguments();
		if (this.suspendingMethod) {
			arguments = Arrays.copyOf(arguments, arguments.length - 1);
		}
		if (this.failureType != null) {
			arguments = Arrays.copyOf(arguments, arguments.length + 1);
			arguments[arguments.length - 1] = failure;
		}
		MethodHandle defaultMethod = this.defaultMethod;
		if (defaultMethod != null) {
			return (Object) defaultMethod.invokeExact(proxy(invocation), arguments);
		}
		if (this.suspendingFallback) {
			// A suspend fallback answers as a Mono, which the call's reactive path subscribes to.
			Object receiver = this.fallback.getDeclaringClass().isInterface() && invocation.getThis() == null
					? proxy(invocation) : invocation.getThis();
			return CoroutinesUtils.invokeSuspendingFunction(this.fallback, receiver, arguments);
		}
		try {
			return this.fallback.invoke(invocation.getThis(), arguments);
		}
		catch (InvocationTargetException ex) {
			throw ex.getTargetException();
		}
	}

}
