/**
 * Implementation details shared by the engine and the starter (assertions, durations as text,
 * cause chains, futures the caller may cancel): no API for applications, no compatibility promise.
 *
 * <p>May depend on: the JDK only.
 */
@NullMarked
package dev.retry.internal;

import org.jspecify.annotations.NullMarked;
