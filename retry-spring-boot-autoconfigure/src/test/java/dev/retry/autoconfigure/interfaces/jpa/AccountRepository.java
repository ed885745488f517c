package dev.retry.autoconfigure.interfaces.jpa;

import dev.retry.annotation.Retryable;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.transaction.annotation.Transactional;

/** A Spring Data JPA repository with a retried query method in a transaction of its own. */
public interface AccountRepository extends JpaRepository<Account, Long> {

	@Retryable(policy = "db")
	@Transactional
	@Modifying
	@Query("update Account a set a.balance = a.balance + :amount where a.id = :id")
	int deposit(Long id, int amount);

}
