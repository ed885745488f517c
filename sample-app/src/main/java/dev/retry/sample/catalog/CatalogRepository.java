package dev.retry.sample.catalog;

import java.sql.SQLTransientConnectionException;

import dev.retry.annotation.Retryable;
import dev.retry.sample.downstream.Downstream.Verdict;
import dev.retry.sample.downstream.Downstreams;

import org.springframework.stereotype.Repository;

/**
 * Stands for a database query. A transient JDBC failure (here, no connection from the pool in
 * time) is retried under the built-in {@code fast} policy: few attempts, short delays, since a
 * caller is waiting on a page.
 */
@Repository
public class CatalogRepository {

	private final Downstreams downstreams;

	public CatalogRepository(Downstreams downstreams) {
		this.downstreams = downstreams;
	}

	@Retryable(policy = "fast")
	public Product find(String sku) throws SQLTransientConnectionException {
		Verdict verdict = this.downstreams.get("catalog").next();
		switch (verdict) {
			case DROP, FAIL, RATE_LIMIT -> throw new SQLTransientConnectionException(
					"HikariPool-1 - Connection is not available, request timed out after 250ms");
			case SLOW -> pause();
			default -> {
			}
		}
		return new Product(sku, "Product " + sku.toUpperCase(java.util.Locale.ROOT));
	}

	private static void pause() {
		try {
			Thread.sleep(300);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
