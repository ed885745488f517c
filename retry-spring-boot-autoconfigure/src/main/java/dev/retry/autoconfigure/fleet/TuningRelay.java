package dev.retry.autoconfigure.fleet;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

import dev.retry.autoconfigure.config.RetryTuning;
import dev.retry.autoconfigure.diagnostics.RetryConfigurationException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Runtime overrides shared by the fleet. The fleet keeps, per policy and breaker, every key set
 * for the whole fleet (merged, in Redis's order) under the fleet's version of it, in one hash:
 * <ul>
 * <li>a change made here for the fleet is merged into it by Redis and published with its new
 * version; while Redis cannot be reached it is kept, and sent when Redis answers again;</li>
 * <li>what arrives on the channel, and what the heartbeat finds in the hash with another version
 * than the one taken (a message missed, an instance started or partitioned after the change), is
 * taken on the fleet's thread, the latest per policy or breaker (no work per message);</li>
 * <li>taking it is a change like one over HTTP: about a policy or breaker this instance does not
 * have, or refused by this instance's endpoint access rules or by the start-up checks, it is
 * ignored and counted.</li>
 * </ul>
 */
final class TuningRelay implements RetryTuning.Relay {

	private static final Log logger = LogFactory.getLog("dev.retry.Fleet");

	private final StringRedisTemplate redis;

	private final RedisCalls calls;

	private final FleetKeys keys;

	private final FleetLink link;

	private final String fleet;

	private final String instance;

	private final RetryTuning tuning;

	private final FleetWriteAccess access;

	private final Predicate<String> sharedBreaker;

	private final LongAdder ignored;

	/** Changes made here not yet taken by Redis, by field: the keys set, merged ({@code null}: dropped). */
	private final Map<String, Change> unsent = new LinkedHashMap<>();

	/** The latest message per field, not yet taken. */
	private final Map<String, TuningMessage> received = new ConcurrentHashMap<>();

	/** Fleet's thread only: the version taken per field. */
	private final Map<String, Long> taken = new HashMap<>();

	/** Fleet's thread only: what the fleet held per field when taken, to give it back if Redis loses it. */
	private final Map<String, String> known = new LinkedHashMap<>();

	/** Fleet's thread only: the hash's version seen by the latest heartbeat; -1 before the first. */
	private long seen = -1;

	private final Coalesced sending;

	private final Coalesced receiving;

	/**
	 * @param sharedBreaker whether this instance shares a breaker of that name with the fleet
	 */
	TuningRelay(StringRedisTemplate redis, RedisCalls calls, Executor thread, FleetKeys keys, FleetLink link,
			String fleet, String instance, RetryTuning tuning, FleetWriteAccess access,
			Predicate<String> sharedBreaker, LongAdder ignored) {
		this.redis = redis;
		this.calls = calls;
		this.keys = keys;
		this.link = link;
		this.fleet = fleet;
		this.instance = instance;
		this.tuning = tuning;
		this.access = access;
		this.sharedBreaker = sharedBreaker;
		this.ignored = ignored;
		this.sending = new Coalesced(thread, this::send);
		this.receiving = new Coalesced(thread, this::takeReceived);
	}

	/** A change made here (under RetryTuning's lock, once applied): sent on the fleet's thread. */
	@Override
	public void changed(String kind, String name, @Nullable Map<String, String> values) {
		if (RetryTuning.Relay.BREAKER.equals(kind) && !this.sharedBreaker.test(name)) {
			// A breaker of scope local shares nothing with the fleet, its configuration neither.
			return;
		}
		synchronized (this.unsent) {
			this.unsent.merge(TuningMessage.field(kind, name), new Change(kind, name, values, false), Change::then);
		}
		this.sending.request();
	}

	/** A message from the channel, on the listener's thread: kept (the latest per field) for the fleet's thread. */
	void received(TuningMessage message) {
		if (!this.tuning.knows(message.kind(), message.name())) {
			this.ignored.increment();
			return;
		}
		this.received.merge(TuningMessage.field(message.kind(), message.name()), message,
				(held, given) -> (given.version() > held.version()) ? given : held);
		this.receiving.request();
	}

	/**
	 * The heartbeat, on the fleet's thread: gives the fleet back what it lost, sends what could not
	 * be sent, and takes what was missed.
	 */
	void reconcile() {
		if (!this.link.isLinked()) {
			return;
		}
		Optional<String> held = fleetVersion();
		if (held == null) {
			return;
		}
		if (held.isEmpty() && this.seen > 0 && !this.known.isEmpty()) {
			// Redis lost the fleet's overrides: give back those this instance runs, for instances to come.
			this.known.forEach((field, values) -> sendOne(field, values, "seed"));
		}
		send();
		held = fleetVersion();
		if (held == null) {
			return;
		}
		long fleetVersion = held.map(WireText::number).orElse(0L);
		if (fleetVersion == this.seen) {
			return;
		}
		Map<Object, Object> entries = this.calls.call(() -> this.redis.opsForHash().entries(this.keys.tuning()),
				this.link.backgroundTimeoutMillis());
		if (entries == null) {
			return;
		}
		entries.forEach((field, value) -> {
			if (!"version".equals(field)) {
				TuningMessage entry = TuningMessage.ofEntry(this.fleet, String.valueOf(field), String.valueOf(value));
				if (entry != null && !Long.valueOf(entry.version()).equals(this.taken.get(String.valueOf(field)))) {
					take(String.valueOf(field), entry, "fleet");
				}
			}
		});
		this.seen = fleetVersion;
	}

	/** The version of the fleet's overrides: empty when it holds none, {@code null} when Redis did not answer. */
	private @Nullable Optional<String> fleetVersion() {
		return this.calls.call(
				() -> Optional.ofNullable(this.redis.<String, String>opsForHash().get(this.keys.tuning(), "version")),
				this.link.backgroundTimeoutMillis());
	}

	private void takeReceived() {
		for (String field : List.copyOf(this.received.keySet())) {
			TuningMessage message = this.received.remove(field);
			if (message != null && message.version() > this.taken.getOrDefault(field, 0L)) {
				take(field, message, "fleet, from " + message.instance());
			}
		}
	}

	/** Takes the fleet's overrides of one policy or breaker, as a change over HTTP would be. */
	private void take(String field, TuningMessage entry, String by) {
		this.taken.put(field, entry.version());
		String kind = entry.kind();
		String name = entry.name();
		if (!this.tuning.knows(kind, name)
				|| (RetryTuning.Relay.BREAKER.equals(kind) && !this.sharedBreaker.test(name))) {
			this.ignored.increment();
			return;
		}
		String endpoint = RetryTuning.Relay.POLICY.equals(kind) ? FleetWriteAccess.RETRIES
				: FleetWriteAccess.CIRCUIT_BREAKERS;
		if (!this.access.allowsWrites(endpoint)) {
			this.ignored.increment();
			logger.warn("Fleet '" + this.fleet + "': the change of " + kind + " '" + name + "' (" + by
					+ ") was not taken here: endpoint " + endpoint + " does not take writes here");
			return;
		}
		Map<String, String> values = entry.values();
		try {
			if (values == null) {
				if (RetryTuning.Relay.POLICY.equals(kind)) {
					this.tuning.clearPolicy(name, by, false);
				}
				else {
					this.tuning.clearBreaker(name, by, false);
				}
			}
			else if (RetryTuning.Relay.POLICY.equals(kind)) {
				this.tuning.overridePolicy(name, values, by, false);
			}
			else {
				this.tuning.overrideBreaker(name, values, by, false);
			}
			this.known.put(field, TuningMessage.encode(values));
		}
		catch (RetryConfigurationException | IllegalArgumentException ex) {
			this.ignored.increment();
			logger.warn("Fleet '" + this.fleet + "': the change of " + kind + " '" + name + "' (" + by
					+ ") was not taken here: " + ex.getMessage());
		}
	}

	/** Stopping, on the fleet's thread: sends what is pending, whether or not Redis answered lately. */
	void flush() {
		send(true);
	}

	private void send() {
		send(false);
	}

	/**
	 * Sends the changes made here to the fleet, on the fleet's thread; kept while Redis does not answer.
	 * @param anyway whether to ask Redis even when the link is down (stopping: a last try)
	 */
	private void send(boolean anyway) {
		while (anyway || this.link.isLinked()) {
			Map.Entry<String, Change> next;
			synchronized (this.unsent) {
				if (this.unsent.isEmpty()) {
					return;
				}
				next = this.unsent.entrySet().iterator().next();
				this.unsent.remove(next.getKey());
			}
			Change change = next.getValue();
			if (!sendOne(next.getKey(), change.values(), change.fresh() ? "replace" : "merge")) {
				synchronized (this.unsent) {
					// Changes made since go on top of it.
					Change later = this.unsent.remove(next.getKey());
					this.unsent.put(next.getKey(), (later != null) ? change.then(later) : change);
				}
				logger.warn("Fleet '" + this.fleet + "': could not pass the change of " + change.kind() + " '"
						+ change.name() + "' to the other instances yet; it is sent when Redis answers");
				return;
			}
		}
	}

	/**
	 * Sends the keys set (or dropped) here; what the fleet holds then is taken, but for the keys
	 * sent (this instance has them, or newer ones): the keys other instances set meanwhile.
	 * @param how merge, replace or seed: see {@link FleetScripts#TUNE}
	 * @return whether Redis answered
	 */
	private boolean sendOne(String field, @Nullable Map<String, String> values, String how) {
		return sendOne(field, TuningMessage.encode(values), how);
	}

	private boolean sendOne(String field, String values, String how) {
		int colon = field.indexOf(':');
		List<?> reply = this.calls.call(() -> this.redis.execute(FleetScripts.TUNE, List.of(this.keys.tuning()), field,
				values, how, this.keys.tuningChannel(), TuningMessage.prefix(this.fleet, this.instance),
				field.substring(0, colon), field.substring(colon + 1)), this.link.backgroundTimeoutMillis());
		if (reply == null || reply.isEmpty()) {
			return false;
		}
		if (reply.size() >= 3 && Long.valueOf(1).equals(reply.get(0))) {
			TuningMessage held = TuningMessage.ofEntry(this.fleet, field, reply.get(1) + "|" + reply.get(2));
			if (held != null && held.version() > this.taken.getOrDefault(field, 0L)) {
				this.taken.put(field, held.version());
				// Between local changes: one made now is either in unsent already or made after this.
				this.tuning.betweenChanges(() -> takeAfterSending(field, held, values));
				this.known.put(field, String.valueOf(reply.get(2)));
			}
		}
		return true;
	}

	/**
	 * What the fleet holds once a change made here was taken by Redis: all of it runs here, the keys
	 * sent included (a change of another instance, taken here while this one waited to be sent, may
	 * have replaced them), unless a later change made here is still to be sent: then only the keys
	 * other instances set, the later change's stay as they are here.
	 */
	private void takeAfterSending(String field, TuningMessage held, String values) {
		boolean newerHere;
		synchronized (this.unsent) {
			newerHere = this.unsent.containsKey(field);
		}
		if (!newerHere) {
			take(field, held, "fleet");
			return;
		}
		Map<String, String> others = (held.values() != null) ? new LinkedHashMap<>(held.values()) : null;
		Map<String, String> sent = TuningMessage.decode(values);
		if (others != null && sent != null) {
			others.keySet().removeAll(sent.keySet());
			if (!others.isEmpty()) {
				take(field, new TuningMessage(this.fleet, this.instance, held.version(), held.kind(), held.name(),
						others), "fleet");
			}
		}
	}

	/**
	 * Keys set at runtime for the fleet, or dropped ({@code values == null}).
	 * @param fresh whether they replace what the fleet holds (they were set after a drop)
	 */
	private record Change(String kind, String name, @Nullable Map<String, String> values, boolean fresh) {

		/** This change, then {@code later}: a drop starts afresh, keys set add up. */
		Change then(Change later) {
			if (later.values == null) {
				return later;
			}
			if (this.values == null) {
				return new Change(this.kind, this.name, later.values, true);
			}
			Map<String, String> merged = new LinkedHashMap<>(this.values);
			merged.putAll(later.values);
			return new Change(this.kind, this.name, merged, this.fresh);
		}

	}

}
