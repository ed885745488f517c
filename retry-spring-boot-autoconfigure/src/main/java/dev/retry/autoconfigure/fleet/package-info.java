/**
 * Breakers shared by every instance of a fleet, through Redis (Spring Data Redis, Lettuce).
 */
@NullMarked
package dev.retry.autoconfigure.fleet;

import org.jspecify.annotations.NullMarked;
