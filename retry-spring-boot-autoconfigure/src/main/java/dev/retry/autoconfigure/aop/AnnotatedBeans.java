package dev.retry.autoconfigure.aop;

import java.lang.reflect.Method;
import java.util.Set;
import java.util.function.Predicate;

import dev.retry.annotation.CircuitBreaker;
import dev.retry.annotation.Retryable;

import org.springframework.util.ReflectionUtils;

/** What a bean class's annotations make the starter call by reflection: read ahead of time, for AOT hints. */
public final class AnnotatedBeans {


	private AnnotatedBeans() {
	}

	/**
	 * Adds the annotated methods of the class, their fallback methods (every method of the named
	 * fallback's name) and their {@code retryOnResult} predicate classes.
	 */
	public static void collect(Class<?> type, Set<Method> methods, Set<Class<?>> predicates) {
		if (!AnnotatedMethods.isCandidate(type)) {
			return;
		}
		AnnotatedMethods.scan(type).reachable().forEach((method, annotations) -> {
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
