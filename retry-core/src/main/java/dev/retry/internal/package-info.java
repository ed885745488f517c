/**
 * Implementation details; not an API.
 */
@NullMarked
package dev.retry.internal;

import org.jspecify.annotations.NullMarked;
