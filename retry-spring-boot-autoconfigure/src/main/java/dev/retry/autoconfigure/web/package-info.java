/**
 * Knowledge of Spring HTTP clients: statuses of their failures.
 */
@NullMarked
package dev.retry.autoconfigure.web;

import org.jspecify.annotations.NullMarked;
