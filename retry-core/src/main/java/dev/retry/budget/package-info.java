/**
 * Retry budgets: a cap on the share of calls that retries may add, so that retries cannot
 * multiply the load on a service that is already failing; and the seam ({@code BudgetLink}) a
 * fleet shares a budget through.
 *
 * <p>May depend on: {@code policy}, {@code time}, {@code internal}.
 */
@NullMarked
package dev.retry.budget;

import org.jspecify.annotations.NullMarked;
