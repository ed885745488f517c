package dev.retry.autoconfigure.aop;

import java.lang.reflect.Method;
import java.util.List;

import dev.retry.annotation.Retryable;
import dev.retry.autoconfigure.config.EffectivePolicy;
import dev.retry.autoconfigure.config.PolicyRegistry;
import dev.retry.classify.FailureClassifier;
import dev.retry.execution.RetryExecutor;
import dev.retry.execution.RetryRuntime;

/**
 * Resolves, once per annotated method, everything its calls need: the named policy (or a start-up
 * failure listing the known ones), the classifier with the method's own additions, the fallback.
 */
public final class RetryInterceptorFactory {

	private final PolicyRegistry policies;

	private final RetryRuntime runtime;

	public RetryInterceptorFactory(PolicyRegistry policies, RetryRuntime runtime) {
		this.policies = policies;
		this.runtime = runtime;
	}

	RetryMethodInterceptor create(Class<?> beanClass, Method method, Retryable retryable) {
		EffectivePolicy policy = this.policies.get(retryable.policy(), MethodNames.describe(method));
		FailureClassifier classifier = new FailureClassifier(policy.policy(), List.of(retryable.retryOn()),
				List.of(retryable.noRetryOn()), this.runtime.statusResolver());
		RetryExecutor executor = new RetryExecutor(MethodNames.of(beanClass, method), policy.policy(), classifier,
				this.runtime);
		BeanFallback fallback = retryable.fallback().isEmpty() ? null
				: BeanFallback.resolve(beanClass, method, retryable.fallback(), "@Retryable");
		return new RetryMethodInterceptor(executor, fallback);
	}

}
