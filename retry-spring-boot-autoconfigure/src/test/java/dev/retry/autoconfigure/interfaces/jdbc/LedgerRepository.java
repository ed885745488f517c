package dev.retry.autoconfigure.interfaces.jdbc;

import dev.retry.annotation.Retryable;

import org.springframework.data.repository.CrudRepository;

/** Annotated on the interface: every method, those inherited from {@code CrudRepository} included. */
@Retryable(policy = "db")
public interface LedgerRepository extends CrudRepository<LedgerEntry, Long> {

}
