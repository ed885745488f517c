package dev.retry.docs.async;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;

import dev.retry.CircuitBreakerOpenException;
import dev.retry.annotation.CircuitBreaker;
import dev.retry.annotation.Retryable;
import reactor.core.publisher.Mono;

import org.springframework.web.reactive.function.client.WebClient;

import static java.net.http.HttpResponse.BodyHandlers.ofString;

public class StorefrontClients {

	private final HttpClient http = HttpClient.newHttpClient();

	private final WebClient webClient;

	private final String url;

	public StorefrontClients(String url) {
		this.url = url;
		this.webClient = WebClient.create(url);
	}

	// tag::async[]
	@Retryable(policy = "network")
	public CompletableFuture<String> stock(String sku) {
		return http.sendAsync(request(sku), ofString()).thenApply(this::bodyOrThrow);
	}

	@Retryable(policy = "network")
	@CircuitBreaker(name = "pricing", fallback = "listPrice")
	public Mono<Price> price(String sku) {
		return webClient.get().uri("/prices/{sku}", sku).retrieve().bodyToMono(Price.class);
	}

	Mono<Price> listPrice(String sku, CircuitBreakerOpenException rejected) {
		return Mono.just(Price.list(sku));
	}
	// end::async[]

	private HttpRequest request(String sku) {
		return HttpRequest.newBuilder(URI.create(this.url + "/stock/" + sku)).build();
	}

	private String bodyOrThrow(HttpResponse<String> response) {
		if (response.statusCode() >= 500) {
			throw new HttpStatusFailure(response.statusCode());
		}
		return response.body();
	}

	/** A status the JDK client does not turn into an exception by itself; transient by its own say. */
	static class HttpStatusFailure extends RuntimeException implements dev.retry.classify.Retryability {

		HttpStatusFailure(int status) {
			super("HTTP " + status);
		}

		@Override
		public boolean isTransient() {
			return true;
		}

	}

}
