/**
 * Properties, presets and the one place that turns them into immutable policies.
 */
@NullMarked
package dev.retry.autoconfigure.config;

import org.jspecify.annotations.NullMarked;
