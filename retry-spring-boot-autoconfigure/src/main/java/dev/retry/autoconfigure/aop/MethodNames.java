package dev.retry.autoconfigure.aop;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.stream.Collectors;

import org.springframework.util.ClassUtils;

/** How methods are named in metrics, logs and messages. */
final class MethodNames {

	private MethodNames() {
	}

	/** {@code SimpleClassName.method}, the name used in metrics and logs. */
	static String of(Class<?> beanClass, Method method) {
		return ClassUtils.getUserClass(beanClass).getSimpleName() + "." + method.getName();
	}

	/** {@code SimpleClassName.method(ParameterTypes)}, for messages. */
	static String describe(Method method) {
		return method.getDeclaringClass().getSimpleName() + "." + method.getName() + "(" + parameters(method) + ")";
	}

	/**
	 * {@code SimpleClassName.method(ParameterTypes)} named after the type it was read from: for a
	 * method a repository inherits ({@code CrudRepository.save}), the repository the user wrote.
	 */
	static String describe(Class<?> owner, Method method) {
		return ClassUtils.getUserClass(owner).getSimpleName() + "." + method.getName() + "(" + parameters(method) + ")";
	}

	/** {@code ReturnType method(ParameterTypes)}, for messages. */
	static String signature(Method method) {
		return method.getReturnType().getSimpleName() + " " + method.getName() + "(" + parameters(method) + ")";
	}

	private static String parameters(Method method) {
		return Arrays.stream(method.getParameterTypes()).map(Class::getSimpleName).collect(Collectors.joining(", "));
	}

}
