/**
 * Knowledge of HTTP clients (Spring's, OpenFeign's): statuses and Retry-After headers of their
 * failures.
 *
 * <p>May depend on: the engine's {@code classify}; Feign only here, behind its own condition.
 */
@NullMarked
package dev.retry.autoconfigure.web;

import org.jspecify.annotations.NullMarked;
