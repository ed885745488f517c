/**
 * Time and sleeping as replaceable services, so tests never wait.
 */
@NullMarked
package dev.retry.time;

import org.jspecify.annotations.NullMarked;
