/**
 * Micrometer meters for retries and circuit breakers.
 */
@NullMarked
package dev.retry.autoconfigure.metrics;

import org.jspecify.annotations.NullMarked;
