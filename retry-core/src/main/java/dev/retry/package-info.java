/**
 * The exceptions a caller of the engine may see: {@link dev.retry.RetryExhaustedException},
 * {@link dev.retry.CircuitBreakerOpenException}, {@link dev.retry.AttemptTimeoutException},
 * {@link dev.retry.RejectedResultException}; the engine itself is in the subpackages.
 *
 * <p>May depend on: {@code classify} (how retryable each is) and {@code internal}. The engine
 * (every {@code dev.retry} package of retry-core) is plain Java: no Spring, no Micrometer; Reactor
 * only where {@code Mono}/{@code Flux} are handled, as an optional dependency.
 */
@NullMarked
package dev.retry;

import org.jspecify.annotations.NullMarked;
