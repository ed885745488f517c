package dev.retry.autoconfigure.cloud;

import java.time.Duration;

import dev.retry.CircuitBreakerOpenException;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.client.circuitbreaker.ReactiveCircuitBreakerFactory;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.factory.SpringCloudCircuitBreakerFilterFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.DispatcherHandler;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ResponseStatusException;

/**
 * Gateway's {@code CircuitBreaker} route filter on our breakers (Gateway registers the filter only
 * alongside Resilience4j's implementation). A route's breaker is the one named by the filter's
 * {@code name}, else by the route's id. With a {@code fallbackUri}, Gateway forwards there on a
 * failure or a rejection; without one, a request the open breaker rejects is answered 503 Service
 * Unavailable with {@code Retry-After} (seconds until the breaker lets a trial call through), and
 * other failures are Gateway's to answer as usual (or an empty response with
 * {@code resumeWithoutError}).
 */
public class RetryGatewayCircuitBreakerFilterFactory extends SpringCloudCircuitBreakerFilterFactory {

	public RetryGatewayCircuitBreakerFilterFactory(ReactiveCircuitBreakerFactory<?, ?> reactiveCircuitBreakerFactory,
			ObjectProvider<DispatcherHandler> dispatcherHandlerProvider) {
		super(reactiveCircuitBreakerFactory, dispatcherHandlerProvider);
	}

	/**
	 * Gateway's filter, telling the client of a rejected request when to come back: the error
	 * handler that writes the 503 keeps the headers already on the response.
	 */
	@Override
	public GatewayFilter apply(Config config) {
		GatewayFilter breaker = super.apply(config);
		return new GatewayFilter() {

			@Override
			public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
				return breaker.filter(exchange, chain).doOnError(BreakerOpen.class, (rejected) -> exchange.getResponse()
					.getHeaders()
					.addAll(rejected.getHeaders()));
			}

			@Override
			public String toString() {
				return breaker.toString();
			}

		};
	}

	@Override
	protected Mono<Void> handleErrorWithoutFallback(Throwable failure, boolean resumeWithoutError) {
		if (failure instanceof CircuitBreakerOpenException rejected) {
			return Mono.error(new BreakerOpen(rejected));
		}
		return resumeWithoutError ? Mono.empty() : Mono.error(failure);
	}

	/** 503 for a rejected request, telling the client when to come back. */
	static final class BreakerOpen extends ResponseStatusException {

		private static final long serialVersionUID = 1L;

		private final HttpHeaders headers = new HttpHeaders();

		BreakerOpen(CircuitBreakerOpenException rejected) {
			super(HttpStatus.SERVICE_UNAVAILABLE, rejected.getMessage(), rejected);
			Duration untilHalfOpen = rejected.getUntilHalfOpen();
			if (!untilHalfOpen.isNegative()) {
				// Whole seconds, rounded up: a client coming back on time finds the breaker half-open.
				long seconds = Math.max(1, (untilHalfOpen.toMillis() + 999) / 1000);
				this.headers.set(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
			}
		}

		@Override
		public HttpHeaders getHeaders() {
			return this.headers;
		}

	}

}
