package dev.retry.autoconfigure.web;

import dev.retry.classify.HttpStatusResolver;

/**
 * Reads the status of failed responses from {@code RestClient} and {@code RestTemplate}
 * ({@code RestClientResponseException}), {@code WebClient} ({@code WebClientResponseException}) and
 * OpenFeign clients ({@code FeignException}), each only when its library is on the classpath.
 */
public final class SpringHttpStatusResolver implements HttpStatusResolver {

	@Override
	public int statusOf(Throwable failure) {
		return SpringHttpResponses.statusOf(failure);
	}

}
