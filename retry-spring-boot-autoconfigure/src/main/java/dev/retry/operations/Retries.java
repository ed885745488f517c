package dev.retry.operations;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.retry.autoconfigure.aop.RetryInterceptorFactory;
import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.autoconfigure.config.PolicyRegistry;
import org.jspecify.annotations.Nullable;

/**
 * Retries and circuit breakers for code that is not an annotated bean method: a lambda, a block
 * inside a method, each item of a loop, a callback of another library. Auto-configured; what it
 * hands out runs under the configured policies and breakers, with the meters, listeners,
 * endpoints, fleet and runtime tuning of the annotations.
 *
 * <pre>{@code
 * RetryOperations inventory = retries.policy("network").circuitBreaker("inventory").named("Inventory.stock");
 * Stock stock = inventory.get(() -> client.stock(sku));
 * RetryOperations breakerOnly = retries.circuitBreaker("inventory");
 * }</pre>
 *
 * Operations with the same name, policy and breaker share one plan: made again in a loop, they
 * add nothing, and {@code /actuator/retries} lists them once.
 */
public final class Retries {

	/** {@code null} when retries are turned off ({@link #disabled()}): every name is taken as given. */
	private final @Nullable PolicyRegistry policies;

	private final @Nullable CircuitBreakerRegistry breakers;

	private final @Nullable RetryInterceptorFactory planner;

	private final Map<OperationPlan.Key, OperationPlan> plans = new ConcurrentHashMap<>();

	/**
	 * @param planner plans each operation from its policy and breaker, and again when the policy is
	 * re-tuned, as it does for annotated methods
	 */
	public Retries(PolicyRegistry policies, CircuitBreakerRegistry breakers, RetryInterceptorFactory planner) {
		this.policies = policies;
		this.breakers = breakers;
		this.planner = planner;
	}

	private Retries() {
		this.policies = null;
		this.breakers = null;
		this.planner = null;
	}

	/**
	 * What the application gets with {@code retry.enabled=false}: operations that make each call
	 * once, with no breaker, no meters, no listeners, whatever policy and breaker they name, so that
	 * code using this API starts and runs as it would with retries off everywhere.
	 */
	public static Retries disabled() {
		return new Retries();
	}

	/**
	 * Calls under the policy of that name ({@code retry.policies.<name>}, a preset, or
	 * {@code default}), named after it until {@link RetryOperations#named named}.
	 * @throws IllegalArgumentException naming the known policies when there is none of that name
	 */
	public RetryOperations policy(String name) {
		requireName(name, "policy");
		PolicyRegistry policies = this.policies;
		if (policies != null && policies.find(name) == null) {
			throw new IllegalArgumentException("There is no retry policy named '" + name + "'. Known policies: "
					+ String.join(", ", policies.names()) + ". Use one of them, or define it under retry.policies."
					+ name + ".");
		}
		return operations(name, name, null, false);
	}

	/**
	 * Calls through the configured circuit breaker of that name ({@code retry.circuit-breakers.<name>}),
	 * the same object an {@code @CircuitBreaker(name = ...)} uses, with no retry; named after it.
	 * @throws IllegalArgumentException naming the configured breakers when there is none of that name
	 */
	public RetryOperations circuitBreaker(String name) {
		requireBreaker(name);
		return operations(name, null, name, false);
	}

	void requireBreaker(String name) {
		requireName(name, "circuit breaker");
		CircuitBreakerRegistry breakers = this.breakers;
		// As for annotations, a configured one: one made on demand (for Spring Cloud) would be there or not
		// depending on which call came first.
		if (breakers != null && (breakers.find(name) == null || breakers.isOnDemand(name))) {
			java.util.Set<String> configured = breakers.names();
			configured.removeAll(breakers.onDemandNames());
			String known = configured.isEmpty() ? "None is configured."
					: "Configured circuit breakers: " + String.join(", ", configured) + ".";
			throw new IllegalArgumentException("There is no circuit breaker named '" + name + "'. " + known
					+ " Declare it under retry.circuit-breakers." + name + " (for example retry.circuit-breakers."
					+ name + ".failure-threshold=5).");
		}
	}

	static void requireName(@Nullable String name, String what) {
		if (name == null || name.isBlank()) {
			throw new IllegalArgumentException("The " + what + " name must not be empty, was "
					+ ((name != null) ? "'" + name + "'" : "null") + ".");
		}
	}

	/** The operations of that name, policy and breaker, sharing the one plan they have. */
	RetryOperations operations(String name, @Nullable String policy, @Nullable String breaker, boolean named) {
		OperationPlan.Key key = new OperationPlan.Key(name, policy, breaker);
		OperationPlan plan = this.plans.computeIfAbsent(key, (made) -> new OperationPlan(made, this.planner));
		return new PlannedOperations(this, plan, named);
	}

}
