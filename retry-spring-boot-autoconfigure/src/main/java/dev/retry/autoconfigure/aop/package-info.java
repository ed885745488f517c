/**
 * Finding annotated methods and intercepting their calls, in every call style (blocking,
 * {@code CompletionStage}, Reactor, Kotlin {@code suspend}).
 *
 * <p>May depend on: the engine, {@code annotation}, {@code config}, {@code diagnostics},
 * {@code http}; Kotlin coroutines only here, behind their own condition.
 */
@NullMarked
package dev.retry.autoconfigure.aop;

import org.jspecify.annotations.NullMarked;
