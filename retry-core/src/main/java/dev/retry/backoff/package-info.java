/**
 * Delay computation: exponential backoff, caps and jitter.
 *
 * <p>May depend on: {@code internal} only.
 */
@NullMarked
package dev.retry.backoff;

import org.jspecify.annotations.NullMarked;
