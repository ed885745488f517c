/**
 * Circuit breakers: closed, open, half-open, shared by name, lock-free on the closed path.
 */
@NullMarked
package dev.retry.breaker;

import org.jspecify.annotations.NullMarked;
