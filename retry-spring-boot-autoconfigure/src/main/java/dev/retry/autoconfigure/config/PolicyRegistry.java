package dev.retry.autoconfigure.config;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.retry.autoconfigure.diagnostics.RetryConfigurationException;
import org.jspecify.annotations.Nullable;

/**
 * Every retry policy the application can name, assembled and validated at start-up, and again,
 * whole, when policies are re-tuned at runtime ({@link RetryTuning}).
 */
public final class PolicyRegistry {

	private volatile Map<String, EffectivePolicy> policies;

	PolicyRegistry(Map<String, EffectivePolicy> policies) {
		this.policies = Map.copyOf(policies);
	}

	/** Takes the policies of {@code assembled}, all at once. */
	void adopt(PolicyRegistry assembled) {
		this.policies = assembled.policies;
	}

	/** Names of all policies, sorted. */
	public Set<String> names() {
		return new TreeSet<>(this.policies.keySet());
	}

	public @Nullable EffectivePolicy find(String name) {
		return this.policies.get(name);
	}

	/**
	 * The policy a method names.
	 * @param name the name in the annotation
	 * @param usedBy describes the annotated method, for the message
	 * @throws RetryConfigurationException naming the known policies when there is no such policy
	 */
	public EffectivePolicy get(String name, String usedBy) {
		EffectivePolicy policy = this.policies.get(name);
		if (policy == null) {
			throw new RetryConfigurationException(
					"@Retryable(policy = \"" + name + "\") on " + usedBy + " names no retry policy. Known policies: "
							+ String.join(", ", names()) + ".",
					"Use one of the known policies, or define this one under retry.policies." + name
							+ " (for example retry.policies." + name + ".max-attempts=3).");
		}
		return policy;
	}

}
