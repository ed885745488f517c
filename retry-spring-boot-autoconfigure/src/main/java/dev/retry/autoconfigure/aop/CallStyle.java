package dev.retry.autoconfigure.aop;

import java.lang.reflect.Method;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;

import dev.retry.autoconfigure.diagnostics.RetryConfigurationException;
import org.jspecify.annotations.Nullable;

import org.springframework.core.KotlinDetector;
import org.springframework.util.ClassUtils;

/**
 * How an annotated method delivers its result, read once from its return type: directly, as a
 * {@link CompletionStage}, or as a Reactor {@code Mono} or {@code Flux}. A return type whose
 * failures the starter could not see (a plain {@link Future}, another reactive library) fails
 * start-up instead of being retried wrongly.
 */
enum CallStyle {

	/** Returns its result or throws: attempts are made on the caller's thread. */
	DIRECT,

	/** {@code CompletionStage} or {@code CompletableFuture}: a failed stage is retried, waits are scheduled. */
	STAGE,

	/** Reactor {@code Mono}: retried by resubscription. */
	MONO,

	/** Reactor {@code Flux}: retried by resubscription. */
	FLUX;

	/** Whether Reactor is on the application's classpath. */
	static boolean reactorPresent(@Nullable ClassLoader classLoader) {
		return ClassUtils.isPresent("reactor.core.publisher.Flux", classLoader);
	}

	/**
	 * @param reactor whether Reactor is on the application's classpath
	 * @throws RetryConfigurationException for a return type the annotations cannot handle
	 */
	static CallStyle of(Method method, boolean reactor) {
		if (KotlinDetector.isSuspendingFunction(method)) {
			// Spring's proxy hands interceptors a Mono for a suspending function, and awaits it after.
			if (!reactor) {
				throw new RetryConfigurationException(MethodNames.describe(method) + " is a suspend function, "
						+ "which the annotations retry as a Mono, but Reactor is not on the classpath.",
						"Add org.jetbrains.kotlinx:kotlinx-coroutines-reactor (it brings Reactor).");
			}
			return MONO;
		}
		Class<?> type = method.getReturnType();
		if (type == CompletionStage.class || type == CompletableFuture.class) {
			return STAGE;
		}
		if (reactor) {
			CallStyle reactive = ReactiveCalls.styleOf(type);
			if (reactive != null) {
				return reactive;
			}
		}
		if (Future.class.isAssignableFrom(type) || CompletionStage.class.isAssignableFrom(type)
				|| isPublisher(type)) {
			throw new RetryConfigurationException(MethodNames.describe(method) + " returns "
					+ type.getSimpleName() + ", whose failures the retry and circuit-breaker annotations cannot see.",
					"Return CompletableFuture or CompletionStage (or Mono or Flux, with Reactor on the classpath), "
							+ "or a plain value.");
		}
		return DIRECT;
	}

	private static boolean isPublisher(Class<?> type) {
		for (Class<?> candidate : ClassUtils.getAllInterfacesForClassAsSet(type)) {
			if (candidate.getName().equals("org.reactivestreams.Publisher")
					|| candidate.getName().equals("java.util.concurrent.Flow$Publisher")) {
				return true;
			}
		}
		return false;
	}

}
