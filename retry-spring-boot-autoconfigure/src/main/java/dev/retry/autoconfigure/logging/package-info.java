/**
 * Log lines for retries, exhaustion and breaker transitions.
 *
 * <p>May depend on: the engine; SLF4J's fluent API when present (else Commons Logging), SLF4J only
 * here and in {@code observation}.
 */
@NullMarked
package dev.retry.autoconfigure.logging;

import org.jspecify.annotations.NullMarked;
