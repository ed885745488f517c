package dev.retry.autoconfigure.interfaces.jdbc;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/** A row of the ledger table. */
@Table("LEDGER")
public record LedgerEntry(@Id Long id, String note) {

}
