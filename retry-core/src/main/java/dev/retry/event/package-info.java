/**
 * Listeners and the outcomes they are told about.
 */
@NullMarked
package dev.retry.event;

import org.jspecify.annotations.NullMarked;
