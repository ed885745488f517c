package dev.retry.autoconfigure.interfaces.jdbc;

import dev.retry.annotation.Retryable;

import org.springframework.data.jdbc.repository.query.Modifying;
import org.springframework.data.jdbc.repository.query.Query;
import org.springframework.data.repository.CrudRepository;
import org.springframework.transaction.annotation.Transactional;

/**
 * A Spring Data JDBC repository as users write one: a query method the target does not implement,
 * in a transaction the repository opens itself, and an inherited generic method redeclared with
 * its type argument to carry the annotation.
 */
// tag::repository[]
public interface StockRepository extends CrudRepository<Stock, String> {

	@Retryable(policy = "db")
	@Transactional
	@Modifying
	@Query("UPDATE STOCK SET QUANTITY = QUANTITY - 1 WHERE SKU = :sku")
	int take(String sku);

	@Override
	@Retryable(policy = "db")
	<S extends Stock> S save(S stock);

}
// end::repository[]
