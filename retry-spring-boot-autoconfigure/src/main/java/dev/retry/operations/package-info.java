/**
 * Programmatic calls under the configured policies and breakers: {@link dev.retry.operations.Retries}
 * hands out {@link dev.retry.operations.RetryOperations} for code that is not an annotated bean
 * method.
 *
 * <p>May depend on: the engine, {@code config}, {@code aop}; none of the integrations
 * ({@code actuate}, {@code cloud}, {@code fleet}, {@code metrics}, {@code observation}).
 */
@NullMarked
package dev.retry.operations;

import org.jspecify.annotations.NullMarked;
