/**
 * Finding annotated methods and intercepting their calls.
 */
@NullMarked
package dev.retry.autoconfigure.aop;

import org.jspecify.annotations.NullMarked;
