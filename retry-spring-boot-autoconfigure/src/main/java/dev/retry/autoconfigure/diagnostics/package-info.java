/**
 * Start-up failures that tell the user what is wrong and what is allowed.
 *
 * <p>May depend on: nothing else of this library; everything that checks configuration reports
 * through it.
 */
@NullMarked
package dev.retry.autoconfigure.diagnostics;

import org.jspecify.annotations.NullMarked;
