package dev.retry.autoconfigure.fleet;

import java.time.Duration;
import java.util.List;

import dev.retry.breaker.BreakerLink;
import dev.retry.breaker.State;
import org.jspecify.annotations.Nullable;

/**
 * A breaker's state as the fleet holds it, numbered by the fleet's {@code version} of it (a
 * fleet-wide order: a later change has a greater version). It travels on the fleet's channel as
 * {@code v2|fleet|instance|version|breaker|STATE|forced|hand|openForMillis|reason} (instance,
 * breaker and reason URL-encoded; the open time as the time left, never as an instant) and is read
 * from the breaker's key by {@link FleetScripts#READ}. What arrives is data from outside:
 * {@link #parse} answers {@code null} for anything malformed.
 * @param instance the instance that made the change
 */
record BreakerMessage(String fleet, String instance, long version, BreakerLink.Change change) {

	static final String VERSION = "v2";

	private static final int MAX_LENGTH = 8192;

	/** The longest open time a message may carry: a century, well within what a monotonic clock counts in nanoseconds. */
	static final long MAX_OPEN_FOR_MILLIS = Duration.ofDays(36_500).toMillis();

	/** What the scripts put before the instance when they publish a change: {@code v2|fleet|}. */
	static String prefix(String fleet) {
		return VERSION + "|" + fleet + "|";
	}

	static @Nullable BreakerMessage parse(@Nullable String text) {
		if (text == null || text.length() > MAX_LENGTH) {
			return null;
		}
		String[] parts = text.split("\\|", -1);
		if (parts.length != 10 || !VERSION.equals(parts[0]) || parts[1].isEmpty()) {
			return null;
		}
		long version = WireText.number(parts[3]);
		long openFor = WireText.number(parts[8]);
		if (version <= 0 || openFor < 0 || openFor > MAX_OPEN_FOR_MILLIS) {
			return null;
		}
		BreakerLink.Change change = change(parts[4], parts[5], parts[6], parts[7], openFor, parts[9]);
		String instance = decode(parts[2]);
		return (change != null && instance != null && !instance.isEmpty())
				? new BreakerMessage(parts[1], instance, version, change) : null;
	}

	/**
	 * The state a script answered ({@code {version, state, forced, hand, millisLeft, origin,
	 * reason}} from {@code from}), or {@code null} when the fleet holds none (version 0) or it is
	 * malformed.
	 */
	static @Nullable BreakerMessage ofReply(List<?> reply, int from, String fleet, String breaker) {
		if (reply.size() < from + 7 || !(reply.get(from) instanceof Long version) || version <= 0
				|| !(reply.get(from + 4) instanceof Long left)) {
			return null;
		}
		BreakerLink.Change change = change(WireText.encode(breaker), String.valueOf(reply.get(from + 1)),
				String.valueOf(reply.get(from + 2)), String.valueOf(reply.get(from + 3)),
				Math.min(Math.max(0, left), MAX_OPEN_FOR_MILLIS),
				String.valueOf(reply.get(from + 6)));
		String instance = decode(String.valueOf(reply.get(from + 5)));
		return (change != null && instance != null) ? new BreakerMessage(fleet, instance, version, change) : null;
	}

	private static BreakerLink.@Nullable Change change(String breaker, String state, String forced, String hand,
			long openForMillis, String reason) {
		State entered = "OPEN".equals(state) ? State.OPEN : "CLOSED".equals(state) ? State.CLOSED : null;
		String name = decode(breaker);
		String why = decode(reason);
		if (entered == null || name == null || name.isEmpty() || why == null || !flag(forced) || !flag(hand)) {
			return null;
		}
		return new BreakerLink.Change(name, entered, Duration.ofMillis(openForMillis), forced.equals("1"),
				hand.equals("1"), why);
	}

	private static boolean flag(String text) {
		return text.equals("0") || text.equals("1");
	}

	private static @Nullable String decode(String text) {
		try {
			return WireText.decode(text);
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

}
