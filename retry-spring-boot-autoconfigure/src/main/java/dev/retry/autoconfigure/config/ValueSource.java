package dev.retry.autoconfigure.config;

/**
 * Where an effective policy value came from.
 * @param value the value in effect
 * @param property the property that supplied it, such as {@code retry.policies.network.max-attempts};
 * for a preset or library default, the property that would override it
 * @param origin where that came from: a file and line, an environment variable, a preset, the
 * library default
 */
public record ValueSource(Object value, String property, String origin) {

}
