/**
 * Calls and attempts of annotated methods as Micrometer Observations (spans, with Micrometer
 * Tracing), and the attempt's fields in the logging MDC.
 */
@NullMarked
package dev.retry.autoconfigure.observation;

import org.jspecify.annotations.NullMarked;
