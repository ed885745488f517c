/**
 * Spring Cloud's circuit breaker abstraction ({@code CircuitBreakerFactory},
 * {@code ReactiveCircuitBreakerFactory}) on this library's breakers, for Spring Cloud OpenFeign
 * clients and Spring Cloud Gateway routes.
 */
@NullMarked
package dev.retry.autoconfigure.cloud;

import org.jspecify.annotations.NullMarked;
