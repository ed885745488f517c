/**
 * The annotations users put on their methods.
 */
@NullMarked
package dev.retry.annotation;

import org.jspecify.annotations.NullMarked;
