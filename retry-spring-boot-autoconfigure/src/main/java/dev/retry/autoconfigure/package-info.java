/**
 * Spring Boot auto-configuration for retries.
 */
@NullMarked
package dev.retry.autoconfigure;

import org.jspecify.annotations.NullMarked;
