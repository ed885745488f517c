package dev.retry.autoconfigure.fleet;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Whether this instance hears from Redis: up when the heartbeat got its answer, down when it did
 * not, or when a call's question was not answered within {@code operation-timeout} (then no call
 * asks Redis until the heartbeat hears from it again, so that no call waits more than one
 * operation-timeout because of it).
 */
final class FleetLink {

	private static final Log logger = LogFactory.getLog("dev.retry.Fleet");

	private final String fleet;

	private final long timeoutMillis;

	private volatile boolean linked;

	FleetLink(String fleet, long timeoutMillis) {
		this.fleet = fleet;
		this.timeoutMillis = timeoutMillis;
	}

	boolean isLinked() {
		return this.linked;
	}

	/** How long a call waits for Redis at most. */
	long timeoutMillis() {
		return this.timeoutMillis;
	}

	/** How long the fleet's own work waits for Redis at most: never less than a second. */
	long backgroundTimeoutMillis() {
		return Math.max(this.timeoutMillis, 1000);
	}

	/**
	 * The heartbeat heard from Redis.
	 * @return whether that ends a time without it
	 */
	boolean heard() {
		boolean gap = !this.linked;
		this.linked = true;
		return gap;
	}

	/** The heartbeat did not hear from Redis. */
	void lost() {
		if (this.linked) {
			this.linked = false;
			logger.warn("Fleet '" + this.fleet + "': Redis is not answering; breakers and budgets decide locally until it is back");
		}
	}

	/** A call's question was not answered in time. */
	void unanswered() {
		if (this.linked) {
			this.linked = false;
			logger.warn("Fleet '" + this.fleet + "': Redis did not answer within " + this.timeoutMillis
					+ " ms; breakers and budgets decide locally until it does");
		}
	}

}
