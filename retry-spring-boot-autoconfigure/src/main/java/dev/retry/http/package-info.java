/**
 * Built-in answers for HTTP responses returned rather than thrown.
 */
@NullMarked
package dev.retry.http;

import org.jspecify.annotations.NullMarked;
