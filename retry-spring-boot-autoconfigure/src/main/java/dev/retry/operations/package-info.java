/**
 * Programmatic calls under the configured policies and breakers: {@link dev.retry.operations.Retries}
 * hands out {@link dev.retry.operations.RetryOperations} for code that is not an annotated bean
 * method.
 */
@NullMarked
package dev.retry.operations;

import org.jspecify.annotations.NullMarked;
