package dev.retry.autoconfigure.interfaces.jpa;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** An account, mapped by JPA. */
@Entity
@Table(name = "ACCOUNT")
public class Account {

	@Id
	private Long id;

	private int balance;

	protected Account() {
	}

	public Account(Long id, int balance) {
		this.id = id;
		this.balance = balance;
	}

	public Long getId() {
		return this.id;
	}

	public int getBalance() {
		return this.balance;
	}

}
