/**
 * Delay computation: exponential backoff, caps and jitter.
 */
@NullMarked
package dev.retry.backoff;

import org.jspecify.annotations.NullMarked;
