package dev.retry.autoconfigure.interfaces;

import java.util.concurrent.CompletableFuture;

import dev.retry.annotation.Retryable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.annotation.HttpExchange;

/** An HTTP service client on WebClient, annotated once on the interface: every method is retried. */
@HttpExchange("/stock")
@Retryable(policy = "quick")
public interface ReactiveInventoryApi {

	@GetExchange("/{sku}")
	String stock(@PathVariable String sku);

	@GetExchange("/{sku}")
	Mono<String> stockMono(@PathVariable String sku);

	@GetExchange("/{sku}")
	CompletableFuture<String> stockFuture(@PathVariable String sku);

	@GetExchange("/{sku}")
	Flux<String> stockFlux(@PathVariable String sku);

}
