/**
 * Retry budgets: a cap on the share of calls that retries may add, so that retries cannot
 * multiply the load on a service that is already failing.
 */
@NullMarked
package dev.retry.budget;

import org.jspecify.annotations.NullMarked;
