package dev.retry.sample.inventory;

import dev.retry.annotation.Retryable;

import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;
import org.springframework.web.client.RestClient;

/**
 * Calls the inventory service over HTTP. A 503, a timeout or a refused connection is retried under
 * the {@code network} policy; a 404 is not.
 */
@Service
public class InventoryClient {

	private final RestClient.Builder builder;

	private volatile RestClient client;

	public InventoryClient(RestClient.Builder builder) {
		this.builder = builder;
	}

	@EventListener
	void onServerStarted(WebServerInitializedEvent event) {
		this.client = this.builder.baseUrl("http://localhost:" + event.getWebServer().getPort()).build();
	}

	@Retryable(policy = "network")
	public Stock stock(String sku) {
		return this.client.get().uri("/downstream/inventory/{sku}", sku).retrieve().body(Stock.class);
	}

}
