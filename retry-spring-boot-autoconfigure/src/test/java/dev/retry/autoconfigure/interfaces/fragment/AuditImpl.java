package dev.retry.autoconfigure.interfaces.fragment;

import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.dao.TransientDataAccessResourceException;

/** The fragment's implementation, found by its name: always busy. */
class AuditImpl implements Audit {

	static final AtomicInteger calls = new AtomicInteger();

	@Override
	public String audit(String note) {
		calls.incrementAndGet();
		throw new TransientDataAccessResourceException("busy");
	}

}
