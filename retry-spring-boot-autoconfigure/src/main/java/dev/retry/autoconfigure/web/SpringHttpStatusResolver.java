package dev.retry.autoconfigure.web;

import dev.retry.classify.HttpStatusResolver;

import org.springframework.util.ClassUtils;
import org.springframework.web.client.RestClientResponseException;
import org.springframework.web.reactive.function.client.WebClientResponseException;

/**
 * Reads the status of failed responses from {@code RestClient} and {@code RestTemplate}
 * ({@link RestClientResponseException}) and {@code WebClient} ({@link WebClientResponseException}),
 * each only when its library is on the classpath.
 */
public final class SpringHttpStatusResolver implements HttpStatusResolver {

	private static final boolean REST_CLIENT = ClassUtils
		.isPresent("org.springframework.web.client.RestClientResponseException", null);

	private static final boolean WEB_CLIENT = ClassUtils
		.isPresent("org.springframework.web.reactive.function.client.WebClientResponseException", null);

	@Override
	public int statusOf(Throwable failure) {
		if (REST_CLIENT) {
			int status = RestClientStatus.of(failure);
			if (status >= 0) {
				return status;
			}
		}
		return WEB_CLIENT ? WebClientStatus.of(failure) : -1;
	}

	private static final class RestClientStatus {

		static int of(Throwable failure) {
			return (failure instanceof RestClientResponseException response) ? response.getStatusCode().value() : -1;
		}

	}

	private static final class WebClientStatus {

		static int of(Throwable failure) {
			return (failure instanceof WebClientResponseException response) ? response.getStatusCode().value() : -1;
		}

	}

}
