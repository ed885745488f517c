/**
 * Built-in answers for HTTP responses returned rather than thrown (which statuses to retry, and
 * how long a Retry-After header asks to wait).
 *
 * <p>May depend on: the engine ({@code dev.retry}, {@code classify}, {@code policy}); none of the
 * integrations.
 */
@NullMarked
package dev.retry.http;

import org.jspecify.annotations.NullMarked;
