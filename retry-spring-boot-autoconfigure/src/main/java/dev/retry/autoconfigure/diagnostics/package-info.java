/**
 * Start-up failures that tell the user what is wrong and what is allowed.
 */
@NullMarked
package dev.retry.autoconfigure.diagnostics;

import org.jspecify.annotations.NullMarked;
