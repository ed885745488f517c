/**
 * Spring Boot auto-configuration for retries and breakers: the beans every application gets
 * (registries, the interceptor, listeners, the programmatic API), and the switch that turns it
 * all off.
 *
 * <p>May depend on: the engine, {@code config}, {@code aop}, {@code logging}, {@code web},
 * {@code http}, {@code operations}; Spring Cloud Context only in the configuration conditional on
 * it. The integrations ({@code actuate}, {@code cloud}, {@code fleet}, {@code metrics},
 * {@code observation}) are built on this package, never the other way round.
 */
@NullMarked
package dev.retry.autoconfigure;

import org.jspecify.annotations.NullMarked;
