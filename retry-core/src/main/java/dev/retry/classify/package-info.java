/**
 * Which failures are transient (worth retrying) and which are permanent, including what an HTTP
 * status or a Retry-After header says.
 *
 * <p>May depend on: {@code policy}, {@code internal}.
 */
@NullMarked
package dev.retry.classify;

import org.jspecify.annotations.NullMarked;
