package dev.retry.autoconfigure.aop;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.retry.annotation.Retryable;

import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ReflectionUtils;

/**
 * The methods of a class that carry {@link Retryable}, directly or through their type, split into
 * those a Spring proxy can intercept and those it cannot (private, static, final, or in a final
 * class), which are reported rather than silently ignored.
 * @param reachable interceptable methods and their annotation
 * @param unreachable methods the proxy cannot reach, with the reason
 */
record AnnotatedMethods(Map<Method, Retryable> reachable, Map<Method, String> unreachable) {

	static AnnotatedMethods scan(Class<?> type) {
		Map<Method, Retryable> reachable = new LinkedHashMap<>();
		Map<Method, String> unreachable = new LinkedHashMap<>();
		Retryable onType = AnnotatedElementUtils.findMergedAnnotation(type, Retryable.class);
		boolean finalClass = Modifier.isFinal(type.getModifiers());
		for (Method method : ReflectionUtils.getUniqueDeclaredMethods(type, ReflectionUtils.USER_DECLARED_METHODS)) {
			if (method.getDeclaringClass() == Object.class || method.isBridge() || method.isSynthetic()) {
				continue;
			}
			int modifiers = method.getModifiers();
			Retryable retryable = AnnotatedElementUtils.findMergedAnnotation(method, Retryable.class);
			if (retryable == null && onType != null && Modifier.isPublic(modifiers) && !Modifier.isStatic(modifiers)) {
				retryable = onType;
			}
			if (retryable == null) {
				continue;
			}
			String problem = Modifier.isPrivate(modifiers) ? "private"
					: Modifier.isStatic(modifiers) ? "static"
					: Modifier.isFinal(modifiers) ? "final"
					: finalClass ? "in a final class" : null;
			if (problem != null) {
				unreachable.put(method, problem);
			}
			else {
				reachable.put(method, retryable);
			}
		}
		return new AnnotatedMethods(reachable, unreachable);
	}

}
