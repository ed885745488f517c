/**
 * Immutable retry policies and their builder.
 */
@NullMarked
package dev.retry.policy;

import org.jspecify.annotations.NullMarked;
