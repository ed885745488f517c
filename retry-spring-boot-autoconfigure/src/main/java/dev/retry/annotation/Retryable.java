package dev.retry.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.core.annotation.AliasFor;

/**
 * Retries calls of the annotated method, or of every public method of the annotated type, under a
 * named policy from {@code retry.policies.<name>}, a built-in preset ({@code network}, {@code fast},
 * {@code aggressive}, {@code gentle}) or {@code retry.defaults} ({@code "default"}). A name that
 * none of these defines fails start-up.
 *
 * <pre>{@code
 * @Retryable(policy = "network", fallback = "cachedStock")
 * public Stock fetch(String sku) { ... }
 *
 * Stock cachedStock(String sku, ConnectException failure) { ... }
 * }</pre>
 */
@Target({ ElementType.METHOD, ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
public @interface Retryable {

	/** Alias for {@link #policy()}. */
	@AliasFor("policy")
	String value() default "default";

	/** Name of the retry policy. */
	@AliasFor("value")
	String policy() default "default";

	/** Failures retried for this method, in addition to the policy's. */
	Class<? extends Throwable>[] retryOn() default {};

	/** Failures never retried for this method, in addition to the policy's; wins over everything. */
	Class<? extends Throwable>[] noRetryOn() default {};

	/**
	 * Name of a method on the same bean called, instead of failing, when the call finally fails.
	 * It takes the method's own parameters, optionally followed by one {@link Throwable} (or a
	 * subtype: then only such failures go to it), and returns a type assignable to the method's.
	 * Checked at start-up.
	 */
	String fallback() default "";

	/**
	 * Results retried as if the attempt had failed: a {@link java.util.function.Predicate} of the
	 * method's value type ({@code T} itself for {@code CompletableFuture<T>},
	 * {@code CompletionStage<T>} and {@code Mono<T>}; not for {@code Flux}). A bean of that class is
	 * used when the context has exactly one, else an instance made once with its no-argument
	 * constructor. {@link dev.retry.http.RetryableStatus} retries HTTP responses returned with a
	 * status in the policy's {@code retry-on-status}. {@code Predicate.class}, the default: none.
	 */
	@SuppressWarnings("rawtypes")
	Class<? extends java.util.function.Predicate> retryOnResult() default java.util.function.Predicate.class;

}
