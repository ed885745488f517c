package dev.retry.autoconfigure.interfaces.jdbc;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/** A row of the stock table. */
@Table("STOCK")
public record Stock(@Id String sku, int quantity) {

}
