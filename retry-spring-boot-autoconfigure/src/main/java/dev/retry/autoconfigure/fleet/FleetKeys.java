package dev.retry.autoconfigure.fleet;

/**
 * The Redis keys and channels of one fleet, all under {@code <key-prefix>:<fleet>:}. A breaker's or
 * budget's name is the key's hash tag, so that every key a script touches is in one Redis Cluster
 * slot.
 */
final class FleetKeys {

	private final String prefix;

	FleetKeys(String keyPrefix, String fleet) {
		this.prefix = keyPrefix + ":" + fleet + ":";
	}

	String breaker(String name) {
		return this.prefix + "breaker:{" + name + "}";
	}

	String budget(String policy) {
		return this.prefix + "budget:{" + policy + "}";
	}

	String members() {
		return this.prefix + "members";
	}

	String tuning() {
		return this.prefix + "tuning";
	}

	String breakerChannel() {
		return this.prefix + "breakers";
	}

	String tuningChannel() {
		return this.prefix + "tuning";
	}

}
