package dev.retry.autoconfigure.interfaces.fragment;

import dev.retry.annotation.Retryable;

import org.springframework.data.jdbc.repository.query.Query;
import org.springframework.data.repository.CrudRepository;

/**
 * A repository with a custom fragment ({@link Audit}), and a query method whose fallback is a
 * default method of the repository, run on the repository's proxy.
 */
public interface AuditedRepository extends CrudRepository<Note, Long>, Audit {

	@Retryable(policy = "db", fallback = "countedNotes")
	@Query("SELECT TEXT FROM MISSING_TABLE WHERE ID = :id")
	String textOf(long id);

	/** What the fallback answers: the notes counted through the repository itself. */
	default String countedNotes(long id, Throwable failure) {
		return "note " + id + " unreadable (" + failure.getClass().getSimpleName() + "), " + count() + " notes";
	}

}
