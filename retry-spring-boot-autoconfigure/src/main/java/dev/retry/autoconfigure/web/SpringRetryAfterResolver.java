package dev.retry.autoconfigure.web;

import java.time.Duration;
import java.time.Instant;

import dev.retry.classify.RetryAfterHeader;
import dev.retry.classify.RetryAfterResolver;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.util.ClassUtils;
import org.springframework.web.client.RestClientResponseException;
import org.springframework.web.reactive.function.client.WebClientResponseException;

/**
 * Reads the {@code Retry-After} header (delay-seconds or HTTP-date) of 429 and 503 responses from
 * {@code RestClient} and {@code RestTemplate} ({@link RestClientResponseException}) and
 * {@code WebClient} ({@link WebClientResponseException}), each only when its library is on the
 * classpath.
 */
public final class SpringRetryAfterResolver implements RetryAfterResolver {

	private static final boolean REST_CLIENT = ClassUtils
		.isPresent("org.springframework.web.client.RestClientResponseException", null);

	private static final boolean WEB_CLIENT = ClassUtils
		.isPresent("org.springframework.web.reactive.function.client.WebClientResponseException", null);

	@Override
	public @Nullable Duration retryAfter(Throwable failure, Instant now) {
		HttpHeaders headers = null;
		if (REST_CLIENT) {
			headers = RestClientHeaders.of(failure);
		}
		if (headers == null && WEB_CLIENT) {
			headers = WebClientHeaders.of(failure);
		}
		return (headers != null) ? RetryAfterHeader.parse(headers.getFirst(HttpHeaders.RETRY_AFTER), now) : null;
	}

	private static boolean asksToWait(int status) {
		return status == 429 || status == 503;
	}

	private static final class RestClientHeaders {

		static @Nullable HttpHeaders of(Throwable failure) {
			return (failure instanceof RestClientResponseException response
					&& asksToWait(response.getStatusCode().value())) ? response.getResponseHeaders() : null;
		}

	}

	private static final class WebClientHeaders {

		static @Nullable HttpHeaders of(Throwable failure) {
			return (failure instanceof WebClientResponseException response
					&& asksToWait(response.getStatusCode().value())) ? response.getHeaders() : null;
		}

	}

}
