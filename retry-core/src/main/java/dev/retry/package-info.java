/**
 * The retry engine in plain Java; the exceptions callers may see.
 */
@NullMarked
package dev.retry;

import org.jspecify.annotations.NullMarked;
