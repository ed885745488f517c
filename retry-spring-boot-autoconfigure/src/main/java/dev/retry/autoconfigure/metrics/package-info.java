/**
 * Micrometer meters for retries and circuit breakers.
 *
 * <p>May depend on: the engine, {@code dev.retry.autoconfigure}, {@code config}, {@code fleet};
 * Micrometer only here and in {@code observation}.
 */
@NullMarked
package dev.retry.autoconfigure.metrics;

import org.jspecify.annotations.NullMarked;
