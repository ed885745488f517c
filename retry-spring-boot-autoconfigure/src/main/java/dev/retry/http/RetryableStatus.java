package dev.retry.http;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;

import dev.retry.RejectedResultException;
import dev.retry.classify.RetryAfterHeader;
import dev.retry.classify.RetryAfterResolver;
import dev.retry.policy.RetryPolicy;
import org.jspecify.annotations.Nullable;

import org.springframework.http.ResponseEntity;
import org.springframework.util.ClassUtils;

/**
 * Retries a returned HTTP response whose status is in the policy's {@code retry-on-status}: a
 * Spring {@code ResponseEntity} (RestClient {@code toEntity} with the status handler off,
 * RestTemplate {@code exchange}) or the JDK's {@code java.net.http.HttpResponse}. A 429 or 503
 * response's {@code Retry-After} header sets the wait, as for thrown responses.
 *
 * <pre>{@code
 * @Retryable(policy = "network", retryOnResult = RetryableStatus.class)
 * public ResponseEntity<Stock> stock(String sku) {
 *     return rest.get().uri("/stock/{sku}", sku).retrieve()
 *         .onStatus(status -> true, (request, response) -> { }).toEntity(Stock.class);
 * }
 * }</pre>
 */
public class RetryableStatus implements java.util.function.Predicate<Object> {

	private static final boolean SPRING_WEB = ClassUtils.isPresent("org.springframework.http.ResponseEntity",
			RetryableStatus.class.getClassLoader());

	private final boolean[] retried = new boolean[600];

	/** Retries the default statuses: 408, 429, 500, 502, 503, 504. */
	public RetryableStatus() {
		this(RetryPolicy.DEFAULT_RETRY_ON_STATUS);
	}

	public RetryableStatus(Collection<Integer> statuses) {
		for (int status : statuses) {
			this.retried[status] = true;
		}
	}

	/** The same predicate for a policy's {@code retry-on-status}. */
	public RetryableStatus forStatuses(Collection<Integer> statuses) {
		return new RetryableStatus(statuses);
	}

	@Override
	public boolean test(@Nullable Object result) {
		int status = statusOf(result);
		return status >= 0 && status < this.retried.length && this.retried[status];
	}

	/** The status of a returned response, or -1 when the result is none. */
	static int statusOf(@Nullable Object result) {
		if (result instanceof java.net.http.HttpResponse<?> response) {
			return response.statusCode();
		}
		if (SPRING_WEB) {
			return SpringResponses.statusOf(result);
		}
		return -1;
	}

	/**
	 * Reads the {@code Retry-After} header of a rejected 429 or 503 response, returned rather than
	 * thrown: the {@link RetryAfterResolver} the starter registers for {@code RetryableStatus}.
	 */
	public static @Nullable Duration retryAfter(Throwable failure, Instant now) {
		if (!(failure instanceof RejectedResultException rejected)) {
			return null;
		}
		Object result = rejected.getResult();
		int status = statusOf(result);
		if (status != 429 && status != 503) {
			return null;
		}
		String header = null;
		if (result instanceof java.net.http.HttpResponse<?> response) {
			header = response.headers().firstValue("Retry-After").orElse(null);
		}
		else if (SPRING_WEB) {
			header = SpringResponses.retryAfterOf(result);
		}
		return RetryAfterHeader.parse(header, now);
	}

	/** Spring's ResponseEntity, read only when spring-web is on the classpath. */
	private static final class SpringResponses {

		static int statusOf(@Nullable Object result) {
			return (result instanceof ResponseEntity<?> entity) ? entity.getStatusCode().value() : -1;
		}

		static @Nullable String retryAfterOf(@Nullable Object result) {
			return (result instanceof ResponseEntity<?> entity) ? entity.getHeaders().getFirst("Retry-After") : null;
		}

	}

}
