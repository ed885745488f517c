package dev.retry.autoconfigure.interfaces.fragment;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/** A row of the note table. */
@Table("NOTE")
public record Note(@Id Long id, String text) {

}
