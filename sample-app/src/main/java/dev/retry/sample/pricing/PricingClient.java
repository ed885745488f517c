package dev.retry.sample.pricing;

import dev.retry.annotation.Retryable;
import dev.retry.sample.downstream.DownstreamClient;

import org.springframework.stereotype.Service;
import org.springframework.web.client.RestClient;

/**
 * Calls the rate-limited pricing API. A 429 is retried under the {@code pricing} policy, after the
 * wait its {@code Retry-After} header asks for (when longer than the policy's own delay).
 */
@Service
public class PricingClient {

	private final RestClient client;

	public PricingClient(DownstreamClient client) {
		this.client = client.rest();
	}

	@Retryable(policy = "pricing")
	public Price price(String sku) {
		return this.client.get().uri("/pricing/{sku}", sku).retrieve().body(Price.class);
	}

}
