package dev.retry.autoconfigure.aop;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.retry.annotation.CircuitBreaker;
import dev.retry.annotation.Retryable;
import org.jspecify.annotations.Nullable;

import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.util.ReflectionUtils;

/**
 * The methods of a class that carry {@link Retryable} or {@link CircuitBreaker}, directly or
 * through their type, split into those a Spring proxy can intercept and those it cannot (private,
 * static, final, or in a final class), which are reported rather than silently ignored.
 * @param reachable interceptable methods and their annotations
 * @param unreachable methods the proxy cannot reach, with the reason
 * @param ignoredAnnotations how the annotations on unreachable methods are written, such as {@code @Retryable}
 */
record AnnotatedMethods(Map<Method, Annotations> reachable, Map<Method, String> unreachable,
		Set<String> ignoredAnnotations) {

	private static final Set<Class<? extends java.lang.annotation.Annotation>> ANNOTATIONS = Set.of(Retryable.class,
			CircuitBreaker.class);

	/** Whether the class may carry the annotations at all: a cheap test before {@link #scan}. */
	static boolean isCandidate(Class<?> type) {
		return AnnotationUtils.isCandidateClass(type, ANNOTATIONS);
	}

	static AnnotatedMethods scan(Class<?> type) {
		Map<Method, Annotations> reachable = new LinkedHashMap<>();
		Map<Method, String> unreachable = new LinkedHashMap<>();
		Set<String> ignoredAnnotations = new TreeSet<>(java.util.Comparator.reverseOrder());
		Retryable retryableOnType = AnnotatedElementUtils.findMergedAnnotation(type, Retryable.class);
		CircuitBreaker breakerOnType = AnnotatedElementUtils.findMergedAnnotation(type, CircuitBreaker.class);
		boolean finalClass = Modifier.isFinal(type.getModifiers());
		for (Method method : ReflectionUtils.getUniqueDeclaredMethods(type, ReflectionUtils.USER_DECLARED_METHODS)) {
			if (method.getDeclaringClass() == Object.class || method.isBridge() || method.isSynthetic()) {
				continue;
			}
			int modifiers = method.getModifiers();
			boolean typeLevelApplies = Modifier.isPublic(modifiers) && !Modifier.isStatic(modifiers);
			Retryable retryable = AnnotatedElementUtils.findMergedAnnotation(method, Retryable.class);
			if (retryable == null && typeLevelApplies) {
				retryable = retryableOnType;
			}
			CircuitBreaker breaker = AnnotatedElementUtils.findMergedAnnotation(method, CircuitBreaker.class);
			if (breaker == null && typeLevelApplies) {
				breaker = breakerOnType;
			}
			if (retryable == null && breaker == null) {
				continue;
			}
			String problem = Modifier.isPrivate(modifiers) ? "private"
					: Modifier.isStatic(modifiers) ? "static"
					: Modifier.isFinal(modifiers) ? "final"
					: finalClass ? "in a final class" : null;
			if (problem != null) {
				unreachable.put(method, problem);
				if (retryable != null) {
					ignoredAnnotations.add("@Retryable");
				}
				if (breaker != null) {
					ignoredAnnotations.add("@CircuitBreaker");
				}
			}
			else {
				reachable.put(method, new Annotations(retryable, breaker));
			}
		}
		return new AnnotatedMethods(reachable, unreachable, ignoredAnnotations);
	}

	/** What applies to one method; at least one is present. */
	record Annotations(@Nullable Retryable retryable, @Nullable CircuitBreaker breaker) {
	}

}
