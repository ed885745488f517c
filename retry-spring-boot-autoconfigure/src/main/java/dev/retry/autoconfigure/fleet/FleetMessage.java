package dev.retry.autoconfigure.fleet;

import dev.retry.breaker.BreakerLink;
import dev.retry.breaker.State;
import org.jspecify.annotations.Nullable;

/**
 * A breaker's state change as it travels between instances (published on the fleet's channel and
 * kept in the breaker's state key): {@code v1|fleet|instance|breaker|STATE|until|forced|reason}.
 * What arrives is data from outside: {@link #parse} answers {@code null} for anything malformed.
 */
record FleetMessage(String fleet, String instance, BreakerLink.Change change) {

	private static final String VERSION = "v1";

	private static final int MAX_LENGTH = 4096;

	String format() {
		return String.join("|", VERSION, this.fleet, this.instance, this.change.breaker(), this.change.state().name(),
				Long.toString(this.change.until()), this.change.forced() ? "1" : "0", this.change.reason());
	}

	static @Nullable FleetMessage parse(@Nullable String text) {
		if (text == null || text.length() > MAX_LENGTH) {
			return null;
		}
		String[] parts = text.split("\\|", 8);
		if (parts.length != 8 || !VERSION.equals(parts[0])) {
			return null;
		}
		for (int i = 1; i <= 3; i++) {
			if (parts[i].isEmpty()) {
				return null;
			}
		}
		State state;
		long until;
		try {
			state = State.valueOf(parts[4]);
			until = Long.parseLong(parts[5]);
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
		if ((state != State.OPEN && state != State.CLOSED) || until < 0
				|| (!parts[6].equals("0") && !parts[6].equals("1"))) {
			return null;
		}
		return new FleetMessage(parts[1], parts[2],
				new BreakerLink.Change(parts[3], state, until, parts[6].equals("1"), parts[7]));
	}

}
