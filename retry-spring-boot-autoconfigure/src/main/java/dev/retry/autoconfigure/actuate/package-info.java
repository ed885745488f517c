/**
 * Actuator endpoints {@code retries} and {@code circuitbreakers}, and the {@code circuitBreakers}
 * health contributor.
 */
@NullMarked
package dev.retry.autoconfigure.actuate;

import org.jspecify.annotations.NullMarked;
