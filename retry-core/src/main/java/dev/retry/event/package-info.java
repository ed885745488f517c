/**
 * Listeners and the outcomes they are told about: what a call and each attempt did.
 *
 * <p>May depend on: {@code dev.retry} (the exceptions an outcome carries).
 */
@NullMarked
package dev.retry.event;

import org.jspecify.annotations.NullMarked;
