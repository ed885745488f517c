package dev.retry.autoconfigure.actuate;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.retry.autoconfigure.config.EffectivePolicy;
import dev.retry.autoconfigure.config.MethodRegistry;
import dev.retry.autoconfigure.config.MethodRegistry.AnnotatedMethod;
import dev.retry.autoconfigure.config.PolicyRegistry;
import dev.retry.autoconfigure.config.RetryTuning;
import dev.retry.autoconfigure.config.ValueSource;
import dev.retry.autoconfigure.diagnostics.RetryConfigurationException;
import dev.retry.budget.RetryBudget;
import dev.retry.internal.Durations;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/**
 * {@code /actuator/retries}: every policy with its effective values and where each came from, the
 * annotated methods and the programmatic operations with their policies, and the calls waiting for
 * a retry right now.
 * {@code POST /{name}} with policy keys as in YAML ({@code {"max-attempts": 5, "base-delay":
 * "200ms"}}) overrides them at runtime, validated as at start-up, all or nothing;
 * {@code DELETE /{name}} drops the overrides.
 */
@Endpoint(id = "retries")
public class RetriesEndpoint {

	private final PolicyRegistry policies;

	private final MethodRegistry methods;

	private final RetryActivity activity;

	private final RetryTuning tuning;

	public RetriesEndpoint(PolicyRegistry policies, MethodRegistry methods, RetryActivity activity,
			RetryTuning tuning) {
		this.policies = policies;
		this.methods = methods;
		this.activity = activity;
		this.tuning = tuning;
	}

	@ReadOperation
	public RetriesDescriptor retries() {
		Map<String, PolicyDescriptor> policies = new LinkedHashMap<>();
		for (String name : this.policies.names()) {
			policies.put(name, describe(name));
		}
		return new RetriesDescriptor(policies, this.methods.methods(), this.methods.operations(),
				this.activity.waiting(), this.tuning.lastReloadError());
	}

	/**
	 * Overrides values of a policy from the next call of every method using it: 404 for an unknown
	 * policy, 400 with the start-up message for an unknown key or an invalid value (then nothing
	 * changed).
	 * @param body the keys and values, as the JSON body gave them (see {@link WholeBody})
	 */
	@WriteOperation
	public WebEndpointResponse<Object> override(@Selector String name, @Nullable Map<String, String> body) {
		if (this.policies.find(name) == null) {
			return new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
		}
		Map<String, String> given = (body != null) ? body : Map.of();
		WebEndpointResponse<Object> nullField = WholeBody.nullField(given);
		if (nullField != null) {
			return nullField;
		}
		try {
			this.tuning.overridePolicy(name, given, "actuator");
		}
		catch (RetryConfigurationException ex) {
			return WholeBody.badRequest(ex);
		}
		return new WebEndpointResponse<>(describe(name), WebEndpointResponse.STATUS_OK);
	}

	/**
	 * Drops the runtime overrides of a policy: 404 for an unknown policy, 400 with the start-up
	 * message when the configuration it would restore is invalid (then nothing changed).
	 */
	@DeleteOperation
	public WebEndpointResponse<Object> clear(@Selector String name) {
		if (this.policies.find(name) == null) {
			return new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
		}
		try {
			this.tuning.clearPolicy(name, "actuator");
		}
		catch (RetryConfigurationException ex) {
			return WholeBody.badRequest(ex);
		}
		return new WebEndpointResponse<>(describe(name), WebEndpointResponse.STATUS_OK);
	}

	/** One policy; {@code null} (a 404) when there is none of that name. */
	@ReadOperation
	public @Nullable PolicyDescriptor policy(@Selector String name) {
		return (this.policies.find(name) != null) ? describe(name) : null;
	}

	private PolicyDescriptor describe(String name) {
		EffectivePolicy policy = this.policies.find(name);
		Map<String, ValueDescriptor> values = new LinkedHashMap<>();
		policy.sources().forEach((key, source) -> values.put(key, describe(source, this.tuning.overriddenAt(name, key))));
		List<String> usedBy = usedBy(this.methods.methods(), name);
		List<String> operations = usedBy(this.methods.operations(), name);
		RetryBudget budget = this.methods.budget(name);
		BudgetDescriptor budgetUse = (budget != null)
				? new BudgetDescriptor(budget.callsInWindow(), budget.retriesInWindow()) : null;
		return new PolicyDescriptor(name, values, usedBy, operations, budgetUse);
	}

	private static List<String> usedBy(List<AnnotatedMethod> methods, String policy) {
		return methods.stream().filter((method) -> policy.equals(method.policy())).map(AnnotatedMethod::method).toList();
	}

	private static ValueDescriptor describe(ValueSource source, @Nullable Instant overriddenAt) {
		return new ValueDescriptor(render(source.value()), source.origin(), source.property(),
				(overriddenAt != null) ? overriddenAt.toString() : null);
	}

	private static Object render(Object value) {
		if (value instanceof Duration duration) {
			return Durations.text(duration);
		}
		if (value instanceof Number || value instanceof Boolean || value instanceof List<?>) {
			return value;
		}
		return String.valueOf(value);
	}

	/**
	 * @param policies every policy by name
	 * @param methods every annotated method
	 * @param operations every programmatic operation ({@code dev.retry.operations}), once per
	 * name, policy and breaker, described as the methods are
	 * @param waiting calls waiting for a retry now, the soonest first
	 * @param lastReloadError why the latest reload of a changed Environment was refused, if it was
	 */
	public record RetriesDescriptor(Map<String, PolicyDescriptor> policies, List<AnnotatedMethod> methods,
			List<AnnotatedMethod> operations, List<RetryActivity.WaitingCall> waiting,
			RetryTuning.@Nullable ReloadError lastReloadError) {
	}

	/**
	 * @param name the policy
	 * @param values each effective value with its source
	 * @param methods the annotated methods using it
	 * @param operations the programmatic operations using it
	 * @param budget use of its retry budget, when it has one
	 */
	public record PolicyDescriptor(String name, Map<String, ValueDescriptor> values, List<String> methods,
			List<String> operations, @Nullable BudgetDescriptor budget) {
	}

	/**
	 * @param value the value in effect
	 * @param source where it came from: a file and line, an environment variable, a preset, the
	 * library default, or {@code runtime override}
	 * @param property the property that sets (or would override) it
	 * @param overriddenAt when it was set at runtime, or {@code null}
	 */
	public record ValueDescriptor(Object value, String source, String property, @Nullable String overriddenAt) {
	}

	/**
	 * @param callsInWindow calls counted in the budget's window
	 * @param retriesInWindow retries taken from it
	 */
	public record BudgetDescriptor(long callsInWindow, long retriesInWindow) {
	}

}
