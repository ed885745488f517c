/**
 * Running a call under a policy: the executor (sync, async, reactive), the chain of stages every
 * attempt passes through (hedging, the breaker, observation, the result check, the attempt
 * timeout), and the current-attempt context.
 *
 * <p>May depend on: every other engine package ({@code policy}, {@code backoff}, {@code classify},
 * {@code breaker}, {@code budget}, {@code event}, {@code time}, {@code internal}, {@code dev.retry});
 * none depends on it. Reactor only in the {@code Reactive*} classes ({@code ReactiveRetry} and the Reactor form of each stage), as an optional dependency.
 */
@NullMarked
package dev.retry.execution;

import org.jspecify.annotations.NullMarked;
