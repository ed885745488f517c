package dev.retry.autoconfigure.web;

import java.time.Duration;
import java.time.Instant;

import dev.retry.classify.RetryAfterHeader;
import dev.retry.classify.RetryAfterResolver;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;

/**
 * Reads the {@code Retry-After} header (delay-seconds or HTTP-date) of 429 and 503 responses from
 * {@code RestClient} and {@code RestTemplate} ({@code RestClientResponseException}) and
 * {@code WebClient} ({@code WebClientResponseException}) and OpenFeign ({@code FeignException}),
 * each only when its library is on the classpath.
 */
public final class SpringRetryAfterResolver implements RetryAfterResolver {

	@Override
	public @Nullable Duration retryAfter(Throwable failure, Instant now) {
		int status = SpringHttpResponses.statusOf(failure);
		if (status != 429 && status != 503) {
			return null;
		}
		HttpHeaders headers = SpringHttpResponses.headersOf(failure);
		return (headers != null) ? RetryAfterHeader.parse(headers.getFirst(HttpHeaders.RETRY_AFTER), now) : null;
	}

}
