package dev.retry.autoconfigure.config;

import java.util.Map;

import dev.retry.policy.RetryPolicy;

/**
 * A policy as assembled from configuration, with the source of each of its values.
 * @param policy the immutable policy
 * @param sources for each key ({@code max-attempts}, {@code budget.ratio}...), where its value came from
 */
public record EffectivePolicy(RetryPolicy policy, Map<String, ValueSource> sources) {

}
