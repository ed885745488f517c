package dev.retry.autoconfigure.config;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@link java.time.Duration} property that, besides Spring's forms ({@code 500ms},
 * {@code 2s}, {@code PT1S}), accepts bare numbers of seconds, decimals included ({@code 1.0},
 * {@code 0.5}, {@code 2}), as environment variables are usually written.
 */
@Target(ElementType.FIELD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface DecimalSeconds {

}
