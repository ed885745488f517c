/**
 * Hints for Spring AOT and native images.
 *
 * <p>May depend on: {@code annotation}, {@code aop}, {@code config}.
 */
@NullMarked
package dev.retry.autoconfigure.aot;

import org.jspecify.annotations.NullMarked;
