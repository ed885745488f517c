/**
 * Spring Cloud's circuit breaker abstraction ({@code CircuitBreakerFactory},
 * {@code ReactiveCircuitBreakerFactory}) on this library's breakers, for Spring Cloud OpenFeign
 * clients and Spring Cloud Gateway routes.
 *
 * <p>May depend on: the engine, {@code dev.retry.autoconfigure}, {@code config}; Spring Cloud
 * Commons and Gateway only here, behind their own conditions.
 */
@NullMarked
package dev.retry.autoconfigure.cloud;

import org.jspecify.annotations.NullMarked;
