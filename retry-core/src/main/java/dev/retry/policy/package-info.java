/**
 * Immutable retry policies and their builder: how many attempts, which delays, which time
 * limits, what happens on exhaustion.
 *
 * <p>May depend on: {@code backoff}, {@code internal}.
 */
@NullMarked
package dev.retry.policy;

import org.jspecify.annotations.NullMarked;
