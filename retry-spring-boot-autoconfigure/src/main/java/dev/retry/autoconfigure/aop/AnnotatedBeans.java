package dev.retry.autoconfigure.aop;

import java.lang.reflect.Method;
import java.util.Set;
import java.util.function.Predicate;

import dev.retry.annotation.CircuitBreaker;
import dev.retry.annotation.Retryable;

import org.springframework.util.ReflectionUtils;

/** What a bean type's annotations make the starter call by reflection: read ahead of time, for AOT hints. */
public final class AnnotatedBeans {

	private AnnotatedBeans() {
	}

	/**
	 * Adds the annotated methods of the type, their fallback methods (every method of the named
	 * fallback's name) and their {@code retryOnResult} predicate classes. A bean whose type is an
	 * interface with annotated methods (an HTTP service client, a repository, a Feign client) may
	 * be wrapped in a JDK proxy of that interface at start-up: it is added to {@code interfaces}.
	 */
	public static void collect(Class<?> type, Set<Method> methods, Set<Class<?>> predicates, Set<Class<?>> interfaces) {
		if (!AnnotatedMethods.isCandidate(type)) {
			return;
		}
		AnnotatedMethods annotated = type.isInterface() ? AnnotatedMethods.ofInterface(type)
				: AnnotatedMethods.ofClass(type, null);
		if (type.isInterface() && !annotated.reachable().isEmpty()) {
			interfaces.add(type);
		}
		annotated.reachable().forEach((method, annotations) -> {
			methods.add(method);
			Retryable retryable = annotations.retryable();
			CircuitBreaker breaker = annotations.breaker();
			addFallback(type, (retryable != null) ? retryable.fallback() : "", methods);
			addFallback(type, (breaker != null) ? breaker.fallback() : "", methods);
			if (retryable != null && retryable.retryOnResult() != Predicate.class) {
				predicates.add(retryable.retryOnResult());
			}
		});
	}

	private static void addFallback(Class<?> type, String name, Set<Method> methods) {
		if (!name.isEmpty()) {
			ReflectionUtils.doWithMethods(type, methods::add, (candidate) -> candidate.getName().equals(name));
		}
	}

}
