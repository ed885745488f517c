/**
 * Actuator endpoints {@code retries}, {@code retryevents} and {@code circuitbreakers}, and the
 * {@code circuitBreakers} health contributor.
 *
 * <p>May depend on: the engine, {@code dev.retry.autoconfigure}, {@code config},
 * {@code diagnostics}, {@code fleet}; Actuator and the Servlet API only here (Actuator's endpoint
 * access also in {@code fleet}).
 */
@NullMarked
package dev.retry.autoconfigure.actuate;

import org.jspecify.annotations.NullMarked;
