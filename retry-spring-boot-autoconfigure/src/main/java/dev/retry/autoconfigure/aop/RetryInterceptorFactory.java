package dev.retry.autoconfigure.aop;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

import dev.retry.annotation.CircuitBreaker;
import dev.retry.annotation.Retryable;
import dev.retry.autoconfigure.aop.AnnotatedMethods.Annotations;
import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.autoconfigure.config.EffectivePolicy;
import dev.retry.autoconfigure.config.MethodRegistry;
import dev.retry.autoconfigure.config.PolicyRegistry;
import dev.retry.autoconfigure.config.ValueSource;
import dev.retry.autoconfigure.diagnostics.RetryConfigurationException;
import dev.retry.budget.RetryBudget;
import dev.retry.classify.FailureClassifier;
import dev.retry.execution.RetryExecutor;
import dev.retry.execution.RetryRuntime;
import dev.retry.http.RetryableStatus;
import dev.retry.policy.RetryPolicy;
import org.aopalliance.intercept.MethodInterceptor;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.BeanInstantiationException;
import org.springframework.beans.BeanUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.core.KotlinDetector;
import org.springframework.core.MethodParameter;
import org.springframework.core.ResolvableType;
import org.springframework.util.ClassUtils;

/**
 * Resolves, once per annotated method, everything its calls need: the named policy and breaker (or
 * a start-up failure listing the known ones), the classifier with the method's own additions, the
 * fallback. A method of a prototype or scoped bean is resolved once, however many instances the
 * bean has: every instance shares its interceptor. Programmatic operations
 * ({@code dev.retry.operations}) are planned here too, once per name, policy and breaker, so that
 * re-tuning a policy re-plans them with the methods.
 */
public final class RetryInterceptorFactory {

	/** The policies methods are planned with: its content changes when policies are re-tuned. */
	private final PolicyRegistry policies;

	private final CircuitBreakerRegistry breakers;

	private final MethodRegistry methods;

	private final RetryRuntime runtime;

	/** Every plan made, by method ({@link MethodKey}) or programmatic operation ({@link OperationKey}). */
	private final Map<Object, Plan> plans = new ConcurrentHashMap<>();

	/**
	 * Held while a plan is put in place and while a re-tuning puts its new plans in place, so that
	 * a plan made from the values a re-tuning replaces, after it listed the plans to change, is
	 * planned again (by the re-tuning, or by {@link #adopt} seeing {@link #generation} change).
	 */
	private final Object planning = new Object();

	/** How many re-tunings have put their plans in place; changed under {@link #planning}. */
	private volatile long generation;

	private final boolean reactor;

	private final @Nullable BeanFactory beans;

	/**
	 * @param classLoader the application's, to see whether Reactor is there
	 * @param beans where {@code retryOnResult} predicates are looked for as beans, or {@code null}
	 */
	public RetryInterceptorFactory(PolicyRegistry policies, CircuitBreakerRegistry breakers, MethodRegistry methods,
			RetryRuntime runtime, @Nullable ClassLoader classLoader, @Nullable BeanFactory beans) {
		this.beans = beans;
		this.reactor = CallStyle.reactorPresent(classLoader);
		this.policies = policies;
		this.breakers = breakers;
		this.methods = methods;
		this.runtime = runtime;
	}

	/** The interceptor of one annotated method of a bean class, built the first time it is asked for. */
	MethodInterceptor interceptor(Class<?> beanClass, Method method, Annotations annotations) {
		MethodKey key = new MethodKey(beanClass, method);
		Plan planned = this.plans.get(key);
		if (planned == null) {
			long generation = this.generation;
			// Built outside the map and the lock: a start-up failure must not be thrown from inside
			// the map, and building it may create a bean (a retryOnResult predicate).
			planned = adopt(key, create(beanClass, method, annotations), generation);
		}
		return ((Planned) planned).interceptor();
	}

	/**
	 * The plan of a programmatic operation ({@code dev.retry.operations}): under a policy, a
	 * breaker, or a policy with a breaker, named in metrics, logs and endpoints as {@code name}.
	 * Made once per name, policy and breaker; {@code replanned} is given its plan now and each new
	 * one when its policy is re-tuned, as an annotated method's interceptor is.
	 * @param policy a policy the registry knows, or {@code null} for a breaker alone
	 * @param breaker a configured breaker, or {@code null}
	 */
	public void operation(String name, @Nullable String policy, @Nullable String breaker,
			Consumer<RetryExecutor> replanned) {
		OperationKey key = new OperationKey(name, policy, breaker);
		Plan planned = this.plans.get(key);
		if (planned == null) {
			long generation = this.generation;
			dev.retry.breaker.CircuitBreaker circuitBreaker = (breaker != null)
					? this.breakers.get(breaker, "the operation '" + name + "'") : null;
			Operation operation = new Operation(name, policy, circuitBreaker);
			RetryExecutor executor = operation.executor(this.policies, this.methods::budgetOf);
			operation.replan(executor);
			planned = adopt(key, operation, generation);
			if (planned == operation) {
				this.methods.registerOperation(name, policy, breaker, executor.describeStages());
			}
		}
		((Operation) planned).follow(replanned);
	}

	/**
	 * Puts a plan made from the values in force at {@code generation} in place, unless another
	 * was put first. A re-tuning put in place since may not have seen it: it is planned again.
	 */
	private Plan adopt(Object key, Plan made, long generation) {
		synchronized (this.planning) {
			Plan raced = this.plans.putIfAbsent(key, made);
			if (raced != null) {
				return raced;
			}
			if (this.generation != generation) {
				made.replan(made.executor(this.policies, this.methods::budgetOf));
			}
			return made;
		}
	}

	private Planned create(Class<?> beanClass, Method method, Annotations annotations) {
		CircuitBreaker breakerAnnotation = annotations.breaker();
		dev.retry.breaker.CircuitBreaker breaker = (breakerAnnotation != null)
				? breaker(MethodNames.describe(beanClass, method), breakerAnnotation) : null;
		CallStyle style = CallStyle.of(method, this.reactor);
		BeanFallback fallback = fallback(beanClass, method, annotations.retryable(), breakerAnnotation);
		Planned planned = new Planned(beanClass, method, annotations, style, breaker, null);
		RetryExecutor executor = planned.executor(this.policies, this.methods::budgetOf);
		RetryMethodInterceptor interceptor = new RetryMethodInterceptor(method, style, executor, fallback);
		this.methods.register(beanClass, method, executor.getTarget().name(),
				(annotations.retryable() != null) ? executor.getPolicy().getName() : null,
				(breaker != null) ? breaker.getName() : null, executor.describeStages(), interceptor);
		return planned.with(interceptor);
	}

	/** What a method's calls run under, from the policy {@code policies} holds for it. */
	private RetryExecutor executor(Planned planned, PolicyRegistry policies,
			Function<RetryPolicy, @Nullable RetryBudget> budgets) {
		Method method = planned.method();
		Retryable retryable = planned.annotations().retryable();
		String name = MethodNames.of(planned.beanClass(), method);
		if (retryable == null) {
			return RetryExecutor.breakerOnly(name, planned.breaker(), this.runtime);
		}
		EffectivePolicy policy = policies.get(retryable.policy(), MethodNames.describe(planned.beanClass(), method));
		refuseHedgingOnSynchronousMethod(method, planned.style(), policy);
		FailureClassifier classifier = new FailureClassifier(policy.policy(), List.of(retryable.retryOn()),
				List.of(retryable.noRetryOn()), this.runtime.statusResolver());
		return RetryExecutor.builder(name, policy.policy())
			.classifier(classifier)
			.runtime(this.runtime)
			.breaker(planned.breaker())
			.budget(budgets.apply(policy.policy()))
			.retryOnResult(resultPredicate(planned.beanClass(), method, planned.style(), retryable, policy))
			.build();
	}

	/** What an operation's calls run under: its policy as {@code policies} holds it, its breaker. */
	private RetryExecutor executor(Operation operation, PolicyRegistry policies,
			Function<RetryPolicy, @Nullable RetryBudget> budgets) {
		if (operation.policy == null) {
			return RetryExecutor.breakerOnly(operation.name, operation.breaker, this.runtime);
		}
		EffectivePolicy policy = policies.get(operation.policy, "the operation '" + operation.name + "'");
		return RetryExecutor.builder(operation.name, policy.policy())
			.runtime(this.runtime)
			.breaker(operation.breaker)
			.budget(budgets.apply(policy.policy()))
			.build();
	}

	/**
	 * Plans anew every method using one of the {@code changed} policies, from {@code policies}. All
	 * are checked before anything changes: when one method cannot take the new values (a hedge on
	 * a synchronous method, say), the whole change fails with the start-up message.
	 * @return what puts the new plans in place: each method's next call runs under them, calls in
	 * flight finish under the plans they started with
	 * @throws RetryConfigurationException when a method cannot take the new values
	 */
	public Runnable replan(PolicyRegistry policies, java.util.Set<String> changed) {
		Map<Plan, RetryExecutor> next = new java.util.LinkedHashMap<>();
		MethodRegistry.BudgetPlan budgets = this.methods.planBudgets();
		for (Plan plan : this.plans.values()) {
			if (uses(plan, changed)) {
				next.put(plan, plan.executor(policies, budgets::budgetOf));
			}
		}
		return () -> {
			synchronized (this.planning) {
				budgets.commit();
				next.forEach(Plan::replan);
				// Put in place while the new plans were made, from the values being replaced: planned
				// again now that the new ones are in force. One put in place later sees the generation
				// change (adopt).
				for (Plan plan : this.plans.values()) {
					if (!next.containsKey(plan) && uses(plan, changed)) {
						replanLate(plan, policies);
					}
				}
				this.generation++;
			}
		};
	}

	private static boolean uses(Plan plan, java.util.Set<String> changed) {
		String policy = plan.policy();
		return policy != null && changed.contains(policy);
	}

	private void replanLate(Plan plan, PolicyRegistry policies) {
		try {
			plan.replan(plan.executor(policies, this.methods::budgetOf));
		}
		catch (RetryConfigurationException ex) {
			// The change is in force already; this one method keeps the plan it was made with.
			org.apache.commons.logging.LogFactory.getLog(RetryInterceptorFactory.class)
				.warn(ex.getMessage() + " " + ex.getAction() + " It keeps its previous values.");
		}
	}

	/** What a method's or an operation's calls run under, planned again when its policy changes. */
	private interface Plan {

		/** The policy it is planned with, or {@code null} for a breaker alone. */
		@Nullable String policy();

		/** Its plan from {@code policies}, with the budgets {@code budgets} gives; checked as at start-up. */
		RetryExecutor executor(PolicyRegistry policies, Function<RetryPolicy, @Nullable RetryBudget> budgets);

		/** Calls from now on run under {@code executor}. */
		void replan(RetryExecutor executor);

	}

	private record MethodKey(Class<?> beanClass, Method method) {
	}

	private record OperationKey(String name, @Nullable String policy, @Nullable String breaker) {
	}

	/** An annotated method with what its plan is made from, and its interceptor once made. */
	private final class Planned implements Plan {

		private final Class<?> beanClass;

		private final Method method;

		private final Annotations annotations;

		private final CallStyle style;

		private final dev.retry.breaker.@Nullable CircuitBreaker breaker;

		private final @Nullable RetryMethodInterceptor interceptor;

		Planned(Class<?> beanClass, Method method, Annotations annotations, CallStyle style,
				dev.retry.breaker.@Nullable CircuitBreaker breaker, @Nullable RetryMethodInterceptor interceptor) {
			this.beanClass = beanClass;
			this.method = method;
			this.annotations = annotations;
			this.style = style;
			this.breaker = breaker;
			this.interceptor = interceptor;
		}

		Class<?> beanClass() {
			return this.beanClass;
		}

		Method method() {
			return this.method;
		}

		Annotations annotations() {
			return this.annotations;
		}

		CallStyle style() {
			return this.style;
		}

		dev.retry.breaker.@Nullable CircuitBreaker breaker() {
			return this.breaker;
		}

		RetryMethodInterceptor interceptor() {
			return java.util.Objects.requireNonNull(this.interceptor);
		}

		Planned with(RetryMethodInterceptor interceptor) {
			return new Planned(this.beanClass, this.method, this.annotations, this.style, this.breaker, interceptor);
		}

		@Override
		public @Nullable String policy() {
			Retryable retryable = this.annotations.retryable();
			return (retryable != null) ? retryable.policy() : null;
		}

		@Override
		public RetryExecutor executor(PolicyRegistry policies, Function<RetryPolicy, @Nullable RetryBudget> budgets) {
			return RetryInterceptorFactory.this.executor(this, policies, budgets);
		}

		@Override
		public void replan(RetryExecutor executor) {
			interceptor().replan(executor);
		}

	}

	/** A programmatic operation: its name, policy and breaker, and where its current plan goes. */
	private final class Operation implements Plan {

		private final String name;

		private final @Nullable String policy;

		private final dev.retry.breaker.@Nullable CircuitBreaker breaker;

		private final List<Consumer<RetryExecutor>> replanned = new java.util.concurrent.CopyOnWriteArrayList<>();

		private volatile @Nullable RetryExecutor current;

		Operation(String name, @Nullable String policy, dev.retry.breaker.@Nullable CircuitBreaker breaker) {
			this.name = name;
			this.policy = policy;
			this.breaker = breaker;
		}

		/** A holder of this operation's plan: given the current one now, and each new one. */
		synchronized void follow(Consumer<RetryExecutor> replanned) {
			this.replanned.add(replanned);
			replanned.accept(java.util.Objects.requireNonNull(this.current));
		}

		@Override
		public @Nullable String policy() {
			return this.policy;
		}

		@Override
		public RetryExecutor executor(PolicyRegistry policies, Function<RetryPolicy, @Nullable RetryBudget> budgets) {
			return RetryInterceptorFactory.this.executor(this, policies, budgets);
		}

		@Override
		public synchronized void replan(RetryExecutor executor) {
			this.current = executor;
			this.replanned.forEach((holder) -> holder.accept(executor));
		}

	}

	/** The proxy handed out for a bean of this class: where the interceptor order of its methods is read. */
	void proxied(Class<?> beanClass, Object proxy) {
		this.methods.proxied(beanClass, proxy);
	}

	/**
	 * The {@code retryOnResult} predicate of a method, checked against its value type as the bean
	 * class sees it (a type variable of a generic base class resolved, {@code T} of
	 * {@code Jobs<T>} being {@code String} for {@code StringJobs extends Jobs<String>}): a bean of
	 * that class when the context has exactly one, else a new instance; {@code null} when none.
	 */
	@SuppressWarnings("unchecked")
	private @Nullable Predicate<Object> resultPredicate(Class<?> beanClass, Method method, CallStyle style,
			Retryable retryable, EffectivePolicy policy) {
		Class<?> type = retryable.retryOnResult();
		if (type == Predicate.class) {
			return null;
		}
		String where = "@Retryable(retryOnResult = " + type.getSimpleName() + ".class) on " + MethodNames.describe(method);
		ResolvableType returned = ResolvableType.forMethodReturnType(method, beanClass);
		boolean suspending = KotlinDetector.isSuspendingFunction(method);
		ResolvableType value = switch (style) {
			case DIRECT -> returned;
			// A suspend function's value type is its Kotlin return type (Java sees Object).
			case MONO -> suspending
					? ResolvableType.forMethodParameter(new MethodParameter(method, -1).withContainingClass(beanClass))
					: returned.getGeneric(0);
			case STAGE -> returned.getGeneric(0);
			case FLUX -> throw new RetryConfigurationException(where + ": a Flux emits many values, and a predicate on one "
					+ "of them cannot say whether the whole stream is to be retried.",
					"Check results on a Mono (collectList() first), or remove retryOnResult.");
		};
		if (method.getReturnType() == void.class) {
			throw new RetryConfigurationException(where + ": the method returns no value to test.",
					"Return the value the predicate tests, or remove retryOnResult.");
		}
		ResolvableType accepted = ResolvableType.forClass(type).as(Predicate.class).getGeneric(0);
		Class<?> valueClass = ClassUtils.resolvePrimitiveIfNecessary(value.toClass());
		// A value type no class resolves (a type variable of the bean class itself) cannot be checked.
		if (accepted.resolve() != null && value.resolve() != null && !accepted.toClass().isAssignableFrom(valueClass)) {
			throw new RetryConfigurationException(where + ": " + type.getSimpleName() + " tests "
					+ accepted.toClass().getSimpleName() + ", but the method's value type is " + value + ".",
					"Make " + type.getSimpleName() + " a Predicate<" + valueClass.getSimpleName()
							+ "> (or of a supertype), or name a predicate of that type.");
		}
		Class<Object> predicateType = (Class<Object>) type;
		Predicate<Object> predicate;
		try {
			predicate = (Predicate<Object>) ((this.beans != null)
					? this.beans.getBeanProvider(predicateType).getIfUnique(() -> BeanUtils.instantiateClass(predicateType))
					: BeanUtils.instantiateClass(predicateType));
		}
		catch (BeanInstantiationException ex) {
			throw new RetryConfigurationException(where + ": " + type.getSimpleName()
					+ " is not a bean of the context and cannot be made with a no-argument constructor ("
					+ ex.getMessage() + ").", "Declare one bean of " + type.getSimpleName()
							+ ", or give it a public no-argument constructor.");
		}
		return (predicate instanceof RetryableStatus status)
				? (Predicate<Object>) (Predicate<?>) status.forStatuses(policy.policy().getRetryOnStatus()) : predicate;
	}

	/** A synchronous method has no second attempt to run beside the first: hedging needs a future or publisher. */
	private static void refuseHedgingOnSynchronousMethod(Method method, CallStyle style, EffectivePolicy policy) {
		if (style != CallStyle.DIRECT || policy.policy().getHedgeDelay().isZero()) {
			return;
		}
		ValueSource hedgeDelay = policy.sources().get("hedge-delay");
		throw new RetryConfigurationException("@Retryable(policy = \"" + policy.policy().getName() + "\") on "
				+ MethodNames.describe(method) + " hedges (hedge-delay "
				+ dev.retry.internal.Durations.text((java.time.Duration) hedgeDelay.value()) + ", from "
				+ hedgeDelay.property() + ", " + hedgeDelay.origin() + "), but " + method.getName() + " returns "
				+ method.getReturnType().getSimpleName() + ": a synchronous method has no second attempt to run beside the first.",
				"Hedge only methods returning CompletableFuture, CompletionStage, Mono or Flux: give this method a policy "
						+ "without hedge-delay, or make it return a CompletableFuture.");
	}

	private dev.retry.breaker.CircuitBreaker breaker(String method, CircuitBreaker annotation) {
		if (annotation.name().isBlank()) {
			throw new RetryConfigurationException("@CircuitBreaker on " + method + " names no circuit breaker.",
					"Give it the name of a breaker configured under retry.circuit-breakers, for example "
							+ "@CircuitBreaker(name = \"inventory\").");
		}
		return this.breakers.get(annotation.name(), method);
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
