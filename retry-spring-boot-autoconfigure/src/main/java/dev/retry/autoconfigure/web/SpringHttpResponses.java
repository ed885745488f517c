package dev.retry.autoconfigure.web;

import java.util.ArrayList;

import feign.FeignException;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.util.ClassUtils;
import org.springframework.web.client.RestClientResponseException;
import org.springframework.web.reactive.function.client.WebClientResponseException;

/**
 * The HTTP response a client failure carries: {@link RestClientResponseException} from
 * {@code RestClient} and {@code RestTemplate}, {@link WebClientResponseException} from
 * {@code WebClient}, and OpenFeign's {@code FeignException}, each read only when its library is
 * on the classpath.
 */
final class SpringHttpResponses {

	private static final boolean REST_CLIENT = ClassUtils
		.isPresent("org.springframework.web.client.RestClientResponseException", null);

	private static final boolean WEB_CLIENT = ClassUtils
		.isPresent("org.springframework.web.reactive.function.client.WebClientResponseException", null);

	private static final boolean FEIGN = ClassUtils.isPresent("feign.FeignException", null);

	private SpringHttpResponses() {
	}

	/** The response status, or -1 when the failure is no HTTP response. */
	static int statusOf(Throwable failure) {
		if (REST_CLIENT) {
			int status = RestClient.statusOf(failure);
			if (status >= 0) {
				return status;
			}
		}
		int status = WEB_CLIENT ? WebClient.statusOf(failure) : -1;
		return (status < 0 && FEIGN) ? Feign.statusOf(failure) : status;
	}

	/** The response headers, or {@code null} when the failure is no HTTP response. */
	static @Nullable HttpHeaders headersOf(Throwable failure) {
		HttpHeaders headers = REST_CLIENT ? RestClient.headersOf(failure) : null;
		headers = (headers == null && WEB_CLIENT) ? WebClient.headersOf(failure) : headers;
		return (headers == null && FEIGN) ? Feign.headersOf(failure) : headers;
	}

	private static final class RestClient {

		static int statusOf(Throwable failure) {
			return (failure instanceof RestClientResponseException response) ? response.getStatusCode().value() : -1;
		}

		static @Nullable HttpHeaders headersOf(Throwable failure) {
			return (failure instanceof RestClientResponseException response) ? response.getResponseHeaders() : null;
		}

	}

	private static final class WebClient {

		static int statusOf(Throwable failure) {
			return (failure instanceof WebClientResponseException response) ? response.getStatusCode().value() : -1;
		}

		static @Nullable HttpHeaders headersOf(Throwable failure) {
			return (failure instanceof WebClientResponseException response) ? response.getHeaders() : null;
		}

	}

	private static final class Feign {

		/** The status of the response; a {@code FeignException} made for an I/O error has none (-1). */
		static int statusOf(Throwable failure) {
			return (failure instanceof FeignException response && response.status() > 0) ? response.status() : -1;
		}

		static @Nullable HttpHeaders headersOf(Throwable failure) {
			if (!(failure instanceof FeignException response) || response.status() <= 0) {
				return null;
			}
			HttpHeaders headers = new HttpHeaders();
			response.responseHeaders().forEach((name, values) -> headers.addAll(name, new ArrayList<>(values)));
			return headers;
		}

	}

}
