package dev.retry.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.core.annotation.AliasFor;

/**
 * Passes calls of the annotated method, or of every public method of the annotated type, through
 * the circuit breaker configured under {@code retry.circuit-breakers.<name>}. Methods naming the
 * same breaker share it. A name that is not configured fails start-up. With {@link Retryable} on
 * the same method, the retry wraps the breaker: each attempt passes through it, and a rejection
 * ({@link dev.retry.CircuitBreakerOpenException}) is never retried.
 *
 * <pre>{@code
 * @CircuitBreaker(name = "inventory", fallback = "cachedStock")
 * public Stock fetch(String sku) { ... }
 * }</pre>
 */
@Target({ ElementType.METHOD, ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
public @interface CircuitBreaker {

	/** Alias for {@link #name()}. */
	@AliasFor("name")
	String value() default "";

	/** Name of the circuit breaker, as configured under {@code retry.circuit-breakers}. */
	@AliasFor("value")
	String name() default "";

	/**
	 * Name of a method on the same bean called, instead of failing, when the call fails or the
	 * breaker rejects it. Same rules as {@link Retryable#fallback()}; with both annotations on one
	 * method, give the fallback once (or the same name in both).
	 */
	String fallback() default "";

}
