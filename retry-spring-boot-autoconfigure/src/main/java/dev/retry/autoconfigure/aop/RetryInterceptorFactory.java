package dev.retry.autoconfigure.aop;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.retry.annotation.CircuitBreaker;
import dev.retry.annotation.Retryable;
import dev.retry.autoconfigure.aop.AnnotatedMethods.Annotations;
import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.autoconfigure.config.EffectivePolicy;
import dev.retry.autoconfigure.config.PolicyRegistry;
import dev.retry.autoconfigure.diagnostics.RetryConfigurationException;
import dev.retry.budget.RetryBudget;
import dev.retry.classify.FailureClassifier;
import dev.retry.execution.RetryExecutor;
import dev.retry.execution.RetryRuntime;
import org.aopalliance.intercept.MethodInterceptor;
import org.jspecify.annotations.Nullable;

/**
 * Resolves, once per annotated method, everything its calls need: the named policy and breaker (or
 * a start-up failure listing the known ones), the classifier with the method's own additions, the
 * fallback.
 */
public final class RetryInterceptorFactory {

	private final PolicyRegistry policies;

	private final CircuitBreakerRegistry breakers;

	private final RetryRuntime runtime;

	private final List<AnnotatedMethod> methods = new java.util.concurrent.CopyOnWriteArrayList<>();

	/** One budget per policy, shared by every method using it. */
	private final Map<String, RetryBudget> budgets = new ConcurrentHashMap<>();

	private final boolean reactor;

	/**
	 * @param classLoader the application's, to see whether Reactor is there
	 */
	public RetryInterceptorFactory(PolicyRegistry policies, CircuitBreakerRegistry breakers, RetryRuntime runtime,
			@Nullable ClassLoader classLoader) {
		this.reactor = CallStyle.reactorPresent(classLoader);
		this.policies = policies;
		this.breakers = breakers;
		this.runtime = runtime;
	}

	MethodInterceptor create(Class<?> beanClass, Method method, Annotations annotations) {
		Retryable retryable = annotations.retryable();
		CircuitBreaker breakerAnnotation = annotations.breaker();
		dev.retry.breaker.CircuitBreaker breaker = (breakerAnnotation != null) ? breaker(method, breakerAnnotation)
				: null;
		CallStyle style = CallStyle.of(method, this.reactor);
		BeanFallback fallback = fallback(beanClass, method, retryable, breakerAnnotation);
		String name = MethodNames.of(beanClass, method);
		if (retryable == null) {
			this.methods.add(new AnnotatedMethod(name, null, breaker.getName()));
			return new CircuitBreakerMethodInterceptor(breaker, style, fallback);
		}
		EffectivePolicy policy = this.policies.get(retryable.policy(), MethodNames.describe(method));
		this.methods.add(new AnnotatedMethod(name, policy.policy().getName(), (breaker != null) ? breaker.getName() : null));
		FailureClassifier classifier = new FailureClassifier(policy.policy(), List.of(retryable.retryOn()),
				List.of(retryable.noRetryOn()), this.runtime.statusResolver());
		// Absent (not stored) for a policy without a budget.
		RetryBudget budget = this.budgets.computeIfAbsent(policy.policy().getName(),
				(policyName) -> RetryBudget.of(policy.policy().getBudget(), this.runtime.ticker()));
		RetryExecutor executor = new RetryExecutor(name, policy.policy(), classifier,
				this.runtime, breaker, budget);
		return new RetryMethodInterceptor(method, style, executor, fallback);
	}

	/** Every annotated method seen so far, with its policy and breaker. */
	public List<AnnotatedMethod> methods() {
		return List.copyOf(this.methods);
	}

	/** The budget of a policy, when it has one and a method uses it. */
	public @Nullable RetryBudget budget(String policy) {
		return this.budgets.get(policy);
	}

	/**
	 * An annotated method.
	 * @param method as {@code SimpleClassName.method}
	 * @param policy its retry policy, or {@code null} with {@code @CircuitBreaker} alone
	 * @param circuitBreaker its breaker, or {@code null}
	 */
	public record AnnotatedMethod(String method, @Nullable String policy, @Nullable String circuitBreaker) {
	}

	private dev.retry.breaker.CircuitBreaker breaker(Method method, CircuitBreaker annotation) {
		if (annotation.name().isBlank()) {
			throw new RetryConfigurationException("@CircuitBreaker on " + MethodNames.describe(method)
					+ " names no circuit breaker.", "Give it the name of a breaker configured under "
							+ "retry.circuit-breakers, for example @CircuitBreaker(name = \"inventory\").");
		}
		return this.breakers.get(annotation.name(), MethodNames.describe(method));
	}

	private static @Nullable BeanFallback fallback(Class<?> beanClass, Method method, @Nullable Retryable retryable,
			@Nullable CircuitBreaker breaker) {
		String retryFallback = (retryable != null) ? retryable.fallback() : "";
		String breakerFallback = (breaker != null) ? breaker.fallback() : "";
		if (!retryFallback.isEmpty() && !breakerFallback.isEmpty() && !retryFallback.equals(breakerFallback)) {
			throw new RetryConfigurationException(MethodNames.describe(method) + " names two fallbacks: '"
					+ retryFallback + "' in @Retryable and '" + breakerFallback + "' in @CircuitBreaker.",
					"A call has one fallback, used both when retries end and when the breaker rejects the call: "
							+ "name it in one of the two annotations only, or the same in both.");
		}
		if (!retryFallback.isEmpty()) {
			return BeanFallback.resolve(beanClass, method, retryFallback, "@Retryable");
		}
		if (!breakerFallback.isEmpty()) {
			return BeanFallback.resolve(beanClass, method, breakerFallback, "@CircuitBreaker");
		}
		return null;
	}

}
