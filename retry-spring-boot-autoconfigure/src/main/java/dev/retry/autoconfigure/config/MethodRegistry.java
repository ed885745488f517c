package dev.retry.autoconfigure.config;

import java.lang.reflect.Method;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

import dev.retry.budget.RetryBudget;
import dev.retry.policy.RetryPolicy;
import dev.retry.time.Ticker;
import org.aopalliance.aop.Advice;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.Advisor;
import org.springframework.aop.PointcutAdvisor;
import org.springframework.aop.framework.Advised;
import org.springframework.util.StringUtils;

/**
 * The annotated methods of the application, each once however many instances of its bean exist
 * (prototype and scoped beans included), and the retry budget of each policy, shared by every
 * method using it. Filled as beans are created; read by the endpoints.
 */
public final class MethodRegistry {

	private final Map<Key, Entry> methods = new ConcurrentHashMap<>();

	/** Programmatic operations, one entry per name, policy and breaker however many are made. */
	private final Map<List<@Nullable String>, AnnotatedMethod> operations = new ConcurrentHashMap<>();

	/** One proxy handed out per bean class, weakly held: where its methods' interceptor order is read. */
	private final Map<Class<?>, WeakReference<Object>> proxies = new ConcurrentHashMap<>();

	/** Absent (not stored) for a policy without a budget. */
	private final Map<String, Budget> budgets = new ConcurrentHashMap<>();

	/** Links budgets of scope fleet to the fleet, once there is one. */
	private volatile @Nullable BiConsumer<String, RetryBudget> linker;

	private final Ticker ticker;

	public MethodRegistry(Ticker ticker) {
		this.ticker = ticker;
	}

	/**
	 * Records an annotated method of a bean class; a second instance of the bean adds nothing.
	 * @param stages the stages of this starter around each call, outermost first, such as
	 * {@code retry(network)} and {@code circuitBreaker(inventory)}
	 * @param ours the interceptor that runs them, to find them in a proxy's chain
	 */
	public void register(Class<?> beanClass, Method method, String name, @Nullable String policy,
			@Nullable String circuitBreaker, List<String> stages, Object ours) {
		this.methods.putIfAbsent(new Key(beanClass, method),
				new Entry(method, beanClass, name, policy, circuitBreaker, stages, ours));
	}

	/**
	 * Records a programmatic operation ({@code dev.retry.operations}); another with the same name,
	 * policy and breaker adds nothing.
	 * @param stages the stages around each call, outermost first
	 */
	public void registerOperation(String name, @Nullable String policy, @Nullable String circuitBreaker,
			List<String> stages) {
		this.operations.putIfAbsent(java.util.Arrays.asList(name, policy, circuitBreaker),
				new AnnotatedMethod(name, policy, circuitBreaker, List.copyOf(stages)));
	}

	/** Every programmatic operation, by name, with the stages around its calls. */
	public List<AnnotatedMethod> operations() {
		return this.operations.values().stream().sorted(Comparator.comparing(AnnotatedMethod::method)).toList();
	}

	/** The bean (the proxy as handed out) whose chain shows the interceptor order of its class's methods. */
	public void proxied(Class<?> beanClass, Object proxy) {
		WeakReference<Object> known = this.proxies.get(beanClass);
		if (known == null || known.get() == null) {
			this.proxies.put(beanClass, new WeakReference<>(proxy));
		}
	}

	/** Every annotated method, by name, with the interceptors around it in the order they run. */
	public List<AnnotatedMethod> methods() {
		return this.methods.values()
			.stream()
			.map((entry) -> {
				WeakReference<Object> proxy = this.proxies.get(entry.beanClass);
				return entry.describe((proxy != null) ? proxy.get() : null);
			})
			.sorted(Comparator.comparing(AnnotatedMethod::method))
			.toList();
	}

	/**
	 * The budget shared by every method of this policy, or {@code null} when the policy has none.
	 * The same budget while its settings stay the same; a new one (counting from zero) when the
	 * policy is re-tuned with other budget settings.
	 */
	public @Nullable RetryBudget budgetOf(RetryPolicy policy) {
		Budget budget = this.budgets.compute(policy.getName(), (name, known) -> {
			Budget made = budgetFor(policy, known);
			if (made != known) {
				link(name, made);
			}
			return made;
		});
		return (budget != null) ? budget.budget() : null;
	}

	/**
	 * Budgets for plans being made anew (a policy re-tuned at runtime), held aside until
	 * {@link BudgetPlan#commit()}: a change refused half-way leaves every budget as it was.
	 */
	public BudgetPlan planBudgets() {
		return new BudgetPlan();
	}

	private @Nullable Budget budgetFor(RetryPolicy policy, @Nullable Budget known) {
		if (known != null && known.settings().equals(policy.getBudget())) {
			return known;
		}
		RetryBudget made = RetryBudget.of(policy.getBudget(), this.ticker);
		return (made != null) ? new Budget(policy.getBudget(), made) : null;
	}

	private void link(String policy, @Nullable Budget budget) {
		BiConsumer<String, RetryBudget> linker = this.linker;
		if (budget != null && linker != null && budget.settings().shared()) {
			linker.accept(policy, budget.budget());
		}
	}

	/** Budgets of plans not yet in place: see {@link #planBudgets()}. */
	public final class BudgetPlan {

		private final Map<String, Optional<Budget>> planned = new LinkedHashMap<>();

		private BudgetPlan() {
		}

		/** As {@link MethodRegistry#budgetOf}, without changing the registry until {@link #commit()}. */
		public @Nullable RetryBudget budgetOf(RetryPolicy policy) {
			Optional<Budget> budget = this.planned.computeIfAbsent(policy.getName(),
					(name) -> Optional.ofNullable(budgetFor(policy, MethodRegistry.this.budgets.get(name))));
			return budget.map(Budget::budget).orElse(null);
		}

		/** Puts the planned budgets in place (a budget of scope fleet is linked to the fleet now). */
		public void commit() {
			this.planned.forEach((name, budget) -> {
				Budget known = MethodRegistry.this.budgets.get(name);
				if (budget.isEmpty()) {
					MethodRegistry.this.budgets.remove(name);
				}
				else if (known != budget.get()) {
					MethodRegistry.this.budgets.put(name, budget.get());
					link(name, budget.get());
				}
			});
		}

	}

	/**
	 * Links every budget of scope fleet, those made so far and those made later (a policy
	 * re-tuned at runtime gets a new budget): {@code linker} is given the policy and its budget.
	 */
	public void linkSharedBudgets(BiConsumer<String, RetryBudget> linker) {
		this.linker = linker;
		this.budgets.forEach((name, budget) -> {
			if (budget.settings().shared()) {
				linker.accept(name, budget.budget());
			}
		});
	}

	/** The budget of a policy, when it has one and a method uses it. */
	public @Nullable RetryBudget budget(String policy) {
		Budget budget = this.budgets.get(policy);
		return (budget != null) ? budget.budget() : null;
	}

	private record Budget(RetryPolicy.BudgetSettings settings, RetryBudget budget) {
	}

	/**
	 * An annotated method.
	 * @param method as {@code SimpleClassName.method}
	 * @param policy its retry policy, or {@code null} with {@code @CircuitBreaker} alone
	 * @param circuitBreaker its breaker, or {@code null}
	 * @param interceptors what runs around each call, outermost first: this starter's stages
	 * ({@code retry(network)}, {@code hedge(150ms)}, {@code circuitBreaker(inventory)},
	 * {@code attemptTimeout(200ms)}) and the proxy's other interceptors ({@code transaction}, ...)
	 */
	public record AnnotatedMethod(String method, @Nullable String policy, @Nullable String circuitBreaker,
			List<String> interceptors) {
	}

	private static final class Entry {

		private final Method method;

		private final Class<?> beanClass;

		private final String name;

		private final @Nullable String policy;

		private final @Nullable String circuitBreaker;

		private final List<String> stages;

		private final Object ours;

		Entry(Method method, Class<?> beanClass, String name, @Nullable String policy, @Nullable String circuitBreaker,
				List<String> stages, Object ours) {
			this.method = method;
			this.beanClass = beanClass;
			this.name = name;
			this.policy = policy;
			this.circuitBreaker = circuitBreaker;
			this.stages = stages;
			this.ours = ours;
		}

		AnnotatedMethod describe(@Nullable Object proxy) {
			return new AnnotatedMethod(this.name, this.policy, this.circuitBreaker, interceptors(proxy));
		}

		/** The proxy's advisors that apply to this method, in chain order; ours shown as its stages. */
		private List<String> interceptors(@Nullable Object proxy) {
			if (!(proxy instanceof Advised advised)) {
				return this.stages;
			}
			List<String> order = new ArrayList<>();
			for (Advisor advisor : advised.getAdvisors()) {
				if (advisor instanceof PointcutAdvisor pointcutAdvisor
						&& !pointcutAdvisor.getPointcut().getMethodMatcher().matches(this.method, this.beanClass)) {
					continue;
				}
				Advice advice = advisor.getAdvice();
				if (advice == this.ours) {
					order.addAll(this.stages);
				}
				else {
					order.add(nameOf(advice));
				}
			}
			return order;
		}

		/** {@code TransactionInterceptor} as {@code transaction}, {@code CacheInterceptor} as {@code cache}. */
		private static String nameOf(Advice advice) {
			String name = advice.getClass().getSimpleName();
			for (String suffix : List.of("MethodInterceptor", "Interceptor", "Advice")) {
				if (name.endsWith(suffix) && name.length() > suffix.length()) {
					name = name.substring(0, name.length() - suffix.length());
					break;
				}
			}
			return (name.isEmpty()) ? advice.getClass().getName() : StringUtils.uncapitalize(name);
		}

	}

	private record Key(Class<?> beanClass, Method method) {
	}

}
