/**
 * Calls and attempts of annotated methods as Micrometer Observations (spans, with Micrometer
 * Tracing), and the attempt's fields in the logging MDC.
 *
 * <p>May depend on: the engine's {@code event} package; Micrometer (with {@code metrics}) and
 * SLF4J's MDC (with {@code logging}), behind their own conditions.
 */
@NullMarked
package dev.retry.autoconfigure.observation;

import org.jspecify.annotations.NullMarked;
