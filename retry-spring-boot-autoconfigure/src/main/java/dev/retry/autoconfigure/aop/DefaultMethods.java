package dev.retry.autoconfigure.aop;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

/**
 * Runs the body of an interface's {@code default} method on a given proxy, as {@code invokespecial}
 * would: the proxy's handler is not asked, so the method itself is not intercepted again, while
 * what it calls on {@code this} goes through the proxy. One handle per method, made on first use.
 */
final class DefaultMethods {

	private static final Map<Method, MethodHandle> handles = new ConcurrentHashMap<>();

	private DefaultMethods() {
	}

	static @Nullable Object invoke(Method method, Object proxy, @Nullable Object[] arguments) throws Throwable {
		MethodHandle handle = handles.get(method);
		if (handle == null) {
			handle = handle(method);
			handles.putIfAbsent(method, handle);
		}
		return (Object) handle.invokeExact(proxy, (Object[]) ((arguments != null) ? arguments : new Object[0]));
	}

	/**
	 * {@code (Object receiver, Object[] arguments)Object}, calling the default body. A private
	 * lookup in the interface reaches it even when the interface is not public; where the module
	 * system forbids that, the JDK's {@link InvocationHandler#invokeDefault} does it for public ones.
	 */
	static MethodHandle handle(Method method) {
		Class<?> declaring = method.getDeclaringClass();
		MethodHandle special;
		try {
			special = MethodHandles.privateLookupIn(declaring, MethodHandles.lookup()).unreflectSpecial(method, declaring);
		}
		catch (IllegalAccessException | RuntimeException ex) {
			MethodHandle invokeDefault;
			try {
				invokeDefault = MethodHandles.lookup()
					.findStatic(InvocationHandler.class, "invokeDefault",
							MethodType.methodType(Object.class, Object.class, Method.class, Object[].class));
			}
			catch (ReflectiveOperationException unexpected) {
				throw new IllegalStateException(unexpected);
			}
			return MethodHandles.insertArguments(invokeDefault, 1, method);
		}
		return special.asType(MethodType.genericMethodType(method.getParameterCount() + 1))
			.asSpreader(Object[].class, method.getParameterCount());
	}

}
