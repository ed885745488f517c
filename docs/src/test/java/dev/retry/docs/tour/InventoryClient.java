package dev.retry.docs.tour;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.retry.CircuitBreakerOpenException;
import dev.retry.annotation.CircuitBreaker;
import dev.retry.annotation.Retryable;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;
import org.springframework.web.client.RestClient;

// tag::client[]
@Service
public class InventoryClient {

    private final RestClient client;

    private final Map<String, Stock> lastKnown = new ConcurrentHashMap<>();

    public InventoryClient(RestClient.Builder builder, @Value("${inventory.url}") String url) {
        this.client = builder.baseUrl(url).build();
    }

    @Retryable(policy = "network")
    @CircuitBreaker(name = "inventory", fallback = "lastKnownStock")
    public Stock stock(String sku) {
        Stock stock = client.get().uri("/inventory/{sku}", sku).retrieve().body(Stock.class);
        lastKnown.put(sku, stock);
        return stock;
    }

    // called instead of failing while the inventory breaker is open
    Stock lastKnownStock(String sku, CircuitBreakerOpenException rejected) {
        return lastKnown.getOrDefault(sku, Stock.unknown(sku));
    }

}
// end::client[]
