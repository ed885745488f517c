/**
 * Knowledge of Spring HTTP clients: statuses and Retry-After headers of their failures.
 */
@NullMarked
package dev.retry.autoconfigure.web;

import org.jspecify.annotations.NullMarked;
