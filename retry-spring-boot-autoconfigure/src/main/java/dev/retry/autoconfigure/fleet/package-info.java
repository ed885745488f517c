/**
 * Breakers, budgets and runtime tuning shared by every instance of a fleet, through Redis
 * (Spring Data Redis, Lettuce).
 *
 * <p>May depend on: the engine (through {@code BreakerLink} and {@code BudgetLink}),
 * {@code dev.retry.autoconfigure}, {@code config}, {@code diagnostics}; Redis and Lettuce only
 * here, behind their own conditions.
 */
@NullMarked
package dev.retry.autoconfigure.fleet;

import org.jspecify.annotations.NullMarked;
