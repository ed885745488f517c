package dev.retry.autoconfigure.aop;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.retry.annotation.CircuitBreaker;
import dev.retry.annotation.Retryable;
import org.jspecify.annotations.Nullable;

import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * The methods of one type that carry {@link Retryable} or {@link CircuitBreaker}, directly or
 * through their type, split into those the bean's proxy reaches and those it cannot, which are
 * reported with the reason rather than silently ignored. The type is either a class whose code
 * the bean's calls reach ({@link #ofClass}), or an interface the bean is called through that no
 * class of the application implements ({@link #ofInterface}: an HTTP service client, a Spring Data
 * repository, a Feign client), whose methods are then named {@code Interface.method}.
 * @param owner the class or interface scanned: metrics, logs and endpoints name methods after it
 * @param reachable interceptable methods and their annotations
 * @param unreachable methods the proxy cannot reach, with the reason
 * @param ignoredAnnotations how the annotations on unreachable methods are written, such as {@code @Retryable}
 */
record AnnotatedMethods(Class<?> owner, Map<Method, Annotations> reachable, Map<Method, Unreachable> unreachable,
		Set<String> ignoredAnnotations) {

	private static final Set<Class<? extends Annotation>> ANNOTATIONS = Set.of(Retryable.class, CircuitBreaker.class);

	/** Whether the type may carry the annotations at all: a cheap test before scanning. */
	static boolean isCandidate(Class<?> type) {
		return AnnotationUtils.isCandidateClass(type, ANNOTATIONS);
	}

	/**
	 * The annotated methods of a class, as the bean's proxy reaches them.
	 * @param interfaces the interfaces a JDK proxy calls the bean through, or {@code null} when the
	 * proxy subclasses the class (CGLIB), which cannot reach private, static or final methods, nor
	 * any method of a final class
	 */
	static AnnotatedMethods ofClass(Class<?> type, @Nullable Collection<Class<?>> interfaces) {
		Retryable retryableOnType = AnnotatedElementUtils.findMergedAnnotation(type, Retryable.class);
		CircuitBreaker breakerOnType = AnnotatedElementUtils.findMergedAnnotation(type, CircuitBreaker.class);
		Set<Method> throughInterfaces = (interfaces != null) ? implementations(type, interfaces) : Set.of();
		boolean finalClass = Modifier.isFinal(type.getModifiers());
		Builder builder = new Builder(type);
		for (Method method : ReflectionUtils.getUniqueDeclaredMethods(type, ReflectionUtils.USER_DECLARED_METHODS)) {
			if (method.getDeclaringClass() == Object.class || method.isBridge() || method.isSynthetic()) {
				continue;
			}
			int modifiers = method.getModifiers();
			boolean typeLevelApplies = Modifier.isPublic(modifiers) && !Modifier.isStatic(modifiers);
			Annotations annotations = Annotations.of(method, typeLevelApplies ? retryableOnType : null,
					typeLevelApplies ? breakerOnType : null);
			if (annotations == null) {
				continue;
			}
			Unreachable problem = (interfaces != null) ? throughInterfaces(method, throughInterfaces)
					: throughSubclass(modifiers, finalClass);
			builder.add(method, annotations, problem);
		}
		return builder.build();
	}

	/**
	 * The annotated methods of an interface the bean is called through, when no class of the
	 * application implements it: each of its methods, inherited ones included ({@code save(S)} of
	 * a {@code CrudRepository}), carries the annotations written on it (or on the method of a
	 * super-interface it overrides), else those on the interface. A method redeclared with its type
	 * arguments ({@code <S extends Stock> S save(S)}) is reached through the compiler's bridge too
	 * ({@link SingleMethodPointcut}). Static and private interface methods are never called
	 * through a proxy.
	 */
	static AnnotatedMethods ofInterface(Class<?> type) {
		Retryable retryableOnType = AnnotatedElementUtils.findMergedAnnotation(type, Retryable.class);
		CircuitBreaker breakerOnType = AnnotatedElementUtils.findMergedAnnotation(type, CircuitBreaker.class);
		Builder builder = new Builder(type);
		Method[] methods = type.getMethods();
		// The JVM's order is unspecified: sorted, start-up reports read the same each time.
		java.util.Arrays.sort(methods, Comparator.comparing(Method::toGenericString));
		for (Method method : methods) {
			if (method.isBridge() || method.isSynthetic() || isObjectMethod(method)) {
				continue;
			}
			boolean isStatic = Modifier.isStatic(method.getModifiers());
			Annotations annotations = Annotations.of(method, isStatic ? null : retryableOnType,
					isStatic ? null : breakerOnType);
			if (annotations != null) {
				builder.add(method, annotations, isStatic ? Unreachable.STATIC_INTERFACE_METHOD : null);
			}
		}
		for (Class<?> declaring : hierarchy(type, new java.util.LinkedHashSet<>())) {
			for (Method method : declaring.getDeclaredMethods()) {
				Annotations annotations = Modifier.isPrivate(method.getModifiers()) ? Annotations.of(method, null, null)
						: null;
				if (annotations != null) {
					builder.add(method, annotations, Unreachable.PRIVATE_INTERFACE_METHOD);
				}
			}
		}
		return builder.build();
	}

	/** The interface and every interface it extends. */
	private static Set<Class<?>> hierarchy(Class<?> type, Set<Class<?>> into) {
		if (into.add(type)) {
			for (Class<?> parent : type.getInterfaces()) {
				hierarchy(parent, into);
			}
		}
		return into;
	}

	private static boolean isObjectMethod(Method method) {
		return ReflectionUtils.isEqualsMethod(method) || ReflectionUtils.isHashCodeMethod(method)
				|| ReflectionUtils.isToStringMethod(method);
	}

	/** The methods of the class that implement a method of one of the interfaces. */
	private static Set<Method> implementations(Class<?> type, Collection<Class<?>> interfaces) {
		Set<Method> implementations = new java.util.HashSet<>();
		for (Class<?> ifc : interfaces) {
			for (Method method : ifc.getMethods()) {
				implementations.add(ClassUtils.getMostSpecificMethod(method, type));
			}
		}
		return implementations;
	}

	private static @Nullable Unreachable throughInterfaces(Method method, Set<Method> implementations) {
		return implementations.contains(method) ? null : Unreachable.NOT_IN_INTERFACES;
	}

	private static @Nullable Unreachable throughSubclass(int modifiers, boolean finalClass) {
		if (Modifier.isPrivate(modifiers)) {
			return Unreachable.PRIVATE;
		}
		if (Modifier.isStatic(modifiers)) {
			return Unreachable.STATIC;
		}
		if (Modifier.isFinal(modifiers)) {
			return Unreachable.FINAL;
		}
		return finalClass ? Unreachable.FINAL_CLASS : null;
	}

	/** What applies to one method; at least one is present. */
	record Annotations(@Nullable Retryable retryable, @Nullable CircuitBreaker breaker) {

		/** The method's own annotations, else the type's; {@code null} when neither has any. */
		static @Nullable Annotations of(Method method, @Nullable Retryable retryableOnType,
				@Nullable CircuitBreaker breakerOnType) {
			Retryable retryable = AnnotatedElementUtils.findMergedAnnotation(method, Retryable.class);
			CircuitBreaker breaker = AnnotatedElementUtils.findMergedAnnotation(method, CircuitBreaker.class);
			retryable = (retryable != null) ? retryable : retryableOnType;
			breaker = (breaker != null) ? breaker : breakerOnType;
			return (retryable != null || breaker != null) ? new Annotations(retryable, breaker) : null;
		}

	}

	/** Why a proxy cannot reach an annotated method, and what the user can do about it. */
	enum Unreachable {

		PRIVATE("private", "make %s non-private and call it through the bean"),

		STATIC("static", "make %s an instance method and call it through the bean"),

		FINAL("final", "remove final from %s"),

		FINAL_CLASS("in a final class", "make %s non-final (in Kotlin: open, or the kotlin-spring compiler plugin)"),

		NOT_IN_INTERFACES("not in the interfaces the bean is called through",
				"declare %s in one of its interfaces, or let Spring proxy the class (spring.aop.proxy-target-class=true, the default)"),

		STATIC_INTERFACE_METHOD("static interface method",
				"put the annotation on the abstract or default method that callers call instead of %s"),

		PRIVATE_INTERFACE_METHOD("private interface method",
				"put the annotation on the abstract or default method that callers call instead of %s");

		private final String reason;

		private final String fix;

		Unreachable(String reason, String fix) {
			this.reason = reason;
			this.fix = fix;
		}

		String reason() {
			return this.reason;
		}

		/** The fix, for the method or (of a final class) the class named. */
		String fix(String subject) {
			return String.format(this.fix, subject);
		}

	}

	private static final class Builder {

		private final Class<?> owner;

		private final Map<Method, Annotations> reachable = new LinkedHashMap<>();

		private final Map<Method, Unreachable> unreachable = new LinkedHashMap<>();

		private final Set<String> ignoredAnnotations = new TreeSet<>(Comparator.reverseOrder());

		Builder(Class<?> owner) {
			this.owner = owner;
		}

		void add(Method method, Annotations annotations, @Nullable Unreachable problem) {
			if (problem == null) {
				this.reachable.put(method, annotations);
				return;
			}
			this.unreachable.put(method, problem);
			if (annotations.retryable() != null) {
				this.ignoredAnnotations.add("@Retryable");
			}
			if (annotations.breaker() != null) {
				this.ignoredAnnotations.add("@CircuitBreaker");
			}
		}

		AnnotatedMethods build() {
			return new AnnotatedMethods(this.owner, this.reachable, this.unreachable, this.ignoredAnnotations);
		}

	}

	/** The same, less the reachable methods {@code excluded} accepts: those intercepted elsewhere. */
	AnnotatedMethods without(java.util.function.Predicate<Method> excluded) {
		Map<Method, Annotations> kept = new LinkedHashMap<>(this.reachable);
		return kept.keySet().removeIf(excluded)
				? new AnnotatedMethods(this.owner, kept, this.unreachable, this.ignoredAnnotations) : this;
	}

	/** Every unreachable method, for messages: sorted by description. */
	List<Map.Entry<Method, Unreachable>> unreachableSorted() {
		List<Map.Entry<Method, Unreachable>> entries = new ArrayList<>(this.unreachable.entrySet());
		entries.sort(Comparator.comparing((entry) -> MethodNames.describe(entry.getKey())));
		return entries;
	}

}
