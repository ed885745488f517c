/**
 * Hints for Spring AOT and native images.
 */
@NullMarked
package dev.retry.autoconfigure.aot;

import org.jspecify.annotations.NullMarked;
