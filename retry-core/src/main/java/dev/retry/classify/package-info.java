/**
 * Which failures are transient (worth retrying) and which are permanent.
 */
@NullMarked
package dev.retry.classify;

import org.jspecify.annotations.NullMarked;
