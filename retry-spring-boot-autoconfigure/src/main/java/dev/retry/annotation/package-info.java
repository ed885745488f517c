/**
 * The annotations users put on their methods and types.
 *
 * <p>May depend on: nothing of this library, so that users' code compiles against them alone
 * (Spring's {@code @AliasFor} only).
 */
@NullMarked
package dev.retry.annotation;

import org.jspecify.annotations.NullMarked;
