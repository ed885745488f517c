/**
 * Properties, presets and the one place that turns them into immutable policies and breakers
 * (the registries), with every value checked at start-up.
 *
 * <p>May depend on: the engine, {@code diagnostics}, and {@code logging} (logger names). Nothing
 * that uses the configuration (interception, endpoints, meters, the fleet) is known here.
 */
@NullMarked
package dev.retry.autoconfigure.config;

import org.jspecify.annotations.NullMarked;
