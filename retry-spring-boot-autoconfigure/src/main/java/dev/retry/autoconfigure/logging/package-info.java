/**
 * Log lines for retries and exhaustion.
 */
@NullMarked
package dev.retry.autoconfigure.logging;

import org.jspecify.annotations.NullMarked;
