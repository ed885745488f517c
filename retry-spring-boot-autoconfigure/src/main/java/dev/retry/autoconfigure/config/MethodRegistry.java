package dev.retry.autoconfigure.config;

import java.lang.reflect.Method;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.retry.budget.RetryBudget;
import dev.retry.policy.RetryPolicy;
import dev.retry.time.Ticker;
import org.jspecify.annotations.Nullable;

/**
 * The annotated methods of the application, each once however many instances of its bean exist
 * (prototype and scoped beans included), and the retry budget of each policy, shared by every
 * method using it. Filled as beans are created; read by the endpoints.
 */
public final class MethodRegistry {

	private final Map<Key, AnnotatedMethod> methods = new ConcurrentHashMap<>();

	/** Absent (not stored) for a policy without a budget. */
	private final Map<String, RetryBudget> budgets = new ConcurrentHashMap<>();

	private final Ticker ticker;

	public MethodRegistry(Ticker ticker) {
		this.ticker = ticker;
	}

	/** Records an annotated method of a bean class; a second instance of the bean adds nothing. */
	public void register(Class<?> beanClass, Method method, AnnotatedMethod described) {
		this.methods.putIfAbsent(new Key(beanClass, method), described);
	}

	/** Every annotated method, by name. */
	public List<AnnotatedMethod> methods() {
		return this.methods.values().stream().sorted(Comparator.comparing(AnnotatedMethod::method)).toList();
	}

	/** The budget shared by every method of this policy, or {@code null} when the policy has none. */
	public @Nullable RetryBudget budgetOf(RetryPolicy policy) {
		return this.budgets.computeIfAbsent(policy.getName(), (name) -> RetryBudget.of(policy.getBudget(), this.ticker));
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

	private record Key(Class<?> beanClass, Method method) {
	}

}
