/**
 * Time and sleeping as replaceable services (tickers, sleepers, the watchdog scheduler), so
 * tests never wait.
 *
 * <p>May depend on: {@code internal} only.
 */
@NullMarked
package dev.retry.time;

import org.jspecify.annotations.NullMarked;
