package dev.retry.autoconfigure.interfaces.fragment;

import org.springframework.data.repository.CrudRepository;

/** A repository with a fragment. */
public interface AuditedRepository extends CrudRepository<Note, Long>, Audit {

}
