package dev.retry.autoconfigure.fleet;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import dev.retry.breaker.BreakerLink;
import dev.retry.breaker.CircuitBreaker;
import dev.retry.breaker.State;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Breakers shared by every instance of the fleet. Each has a key in Redis holding its state and
 * the fleet's version of it (see {@link FleetScripts}); an instance knows which version its
 * breaker holds, and takes a state only when it is another one:
 * <ul>
 * <li>a change made here by calls or by an operator for the fleet is announced: taken by Redis
 * only if it follows the state it was made from (else this instance takes the state the fleet
 * holds), published with its new version, and kept to announce again while Redis cannot be
 * reached;</li>
 * <li>a change made here only ({@code "scope": "local"}) is never announced, so nothing sends it
 * to the fleet later; the fleet's state it leaves is not taken again, the fleet's next one is;</li>
 * <li>what arrives on the channel is taken when its version is later than the one held (latest
 * per breaker, however many arrive: no work per message); every second the heartbeat reads each
 * breaker's key and takes the state if its version is another, so that whatever was missed
 * (a message, a restart, a partition, a half-open round in progress) is made up for.</li>
 * </ul>
 * Every state is taken on the fleet's one thread, in order. Trials of a half-open round (the
 * version of the open state) count their permits in the key; a closed breaker's calls never reach
 * any of this.
 */
final class SharedBreakers {

	private static final Log logger = LogFactory.getLog("dev.retry.Fleet");

	/** How long a breaker's state stays in Redis after its last change (forced open states stay). */
	private static final long STATE_TTL_MILLIS = Duration.ofDays(1).toMillis();

	private final StringRedisTemplate redis;

	private final RedisCalls calls;

	private final Executor thread;

	private final FleetKeys keys;

	private final FleetLink link;

	private final String fleet;

	private final String instance;

	private final FleetWriteAccess access;

	private final LongAdder ignored;

	private final Map<String, Shared> shared = new ConcurrentHashMap<>();

	private final Coalesced announcing;

	private final Coalesced receiving;

	/**
	 * @param thread the fleet's one thread, where states are taken
	 * @param ignored where messages ignored are counted
	 */
	SharedBreakers(StringRedisTemplate redis, RedisCalls calls, Executor thread, FleetKeys keys, FleetLink link,
			String fleet, String instance, FleetWriteAccess access, LongAdder ignored) {
		this.redis = redis;
		this.calls = calls;
		this.thread = thread;
		this.keys = keys;
		this.link = link;
		this.fleet = fleet;
		this.instance = instance;
		this.access = access;
		this.ignored = ignored;
		this.announcing = new Coalesced(thread, this::announcePending);
		this.receiving = new Coalesced(thread, this::takeReceived);
	}

	/**
	 * Shares a breaker with the fleet from now on, whenever it was made: one made after start-up
	 * takes the fleet's state at once.
	 */
	void share(CircuitBreaker breaker) {
		if (this.shared.containsKey(breaker.getName())) {
			return;
		}
		Shared added = new Shared(breaker);
		if (this.link.isLinked()) {
			// Made while the fleet runs (on demand, before its first call): it takes the fleet's state
			// before serving that call, as an instance starting takes it before serving any. It is
			// nobody else's yet, so taken here, waiting at most operation-timeout.
			List<?> reply = read(added, this.link.timeoutMillis());
			BreakerMessage held = (reply != null) ? BreakerMessage.ofReply(reply, 0, this.fleet, breaker.getName()) : null;
			if (held != null) {
				take(added, held);
			}
		}
		if (this.shared.putIfAbsent(breaker.getName(), added) == null) {
			breaker.link(added);
			later(() -> resync(added));
		}
	}

	Set<String> names() {
		return this.shared.keySet();
	}

	/** A message from the channel, on the listener's thread: kept (the latest per breaker) for the fleet's thread. */
	void received(BreakerMessage message) {
		Shared target = this.shared.get(message.change().breaker());
		if (target == null) {
			this.ignored.increment();
			return;
		}
		target.received.accumulateAndGet(message,
				(held, given) -> (held == null || given.version() > held.version()) ? given : held);
		this.receiving.request();
	}

	/** The heartbeat, on the fleet's thread: announces what could not be, and takes what was missed. */
	void reconcile() {
		announcePending();
		for (Shared each : this.shared.values()) {
			if (!this.link.isLinked()) {
				return;
			}
			resync(each);
		}
	}

	private void takeReceived() {
		for (Shared each : this.shared.values()) {
			BreakerMessage message = each.received.getAndSet(null);
			if (message != null && message.version() > each.version) {
				take(each, message);
			}
		}
	}

	/** Reads the state the fleet holds for a breaker, and takes it when it is another than the one held. */
	private void resync(Shared target) {
		if (!this.link.isLinked()) {
			return;
		}
		List<?> reply = read(target, this.link.backgroundTimeoutMillis());
		if (reply == null) {
			return;
		}
		BreakerMessage held = BreakerMessage.ofReply(reply, 0, this.fleet, target.breaker.getName());
		if (held == null) {
			forgotten(target);
		}
		else if (held.version() != target.version) {
			take(target, held);
		}
	}

	/** The fleet's state of a breaker as Redis answers it; {@code null} when it did not answer in time. */
	private @Nullable List<?> read(Shared target, long timeoutMillis) {
		return this.calls.call(() -> this.redis.execute(FleetScripts.READ, List.of(target.key)), timeoutMillis);
	}

	/**
	 * The fleet holds no state for a breaker (Redis lost it, or it expired): an open state this
	 * instance made for the fleet is told again, so that the fleet, and instances starting later,
	 * know of it. One taken from another instance is left to it (told again by its maker, or ending
	 * on its own), so that nothing that merely arrived on the channel is written into the fleet.
	 */
	private void forgotten(Shared target) {
		// No round to count trials in; the version held stays, to order what arrives (later versions are greater).
		target.openVersion = 0;
		CircuitBreaker breaker = target.breaker;
		if (breaker.getState() == State.OPEN && breaker.getOpenedBy() == null && !breaker.isForcedOpenHere()
				&& target.pending.get() == null) {
			boolean forced = breaker.isForcedOpen();
			target.pending.compareAndSet(null, new BreakerLink.Change(breaker.getName(), State.OPEN,
					breaker.untilHalfOpen(), forced, forced, "open there while the fleet held no state for it"));
			announce(target);
		}
	}

	/** Takes a state the fleet holds, on the fleet's thread. */
	private void take(Shared target, BreakerMessage held) {
		target.version = held.version();
		target.openVersion = (held.change().state() == State.OPEN) ? held.version() : 0;
		BreakerLink.Change change = held.change();
		if (change.byHand() && !this.access.allowsWrites(FleetWriteAccess.CIRCUIT_BREAKERS)) {
			this.ignored.increment();
			logger.warn("Fleet '" + this.fleet + "': an operator's " + change.state() + " of breaker '"
					+ change.breaker() + "' made on " + held.instance()
					+ " was not taken here: endpoint circuitbreakers does not take writes here");
			return;
		}
		target.breaker.adopt(change, held.instance());
	}

	/** Stopping, on the fleet's thread: announces what is pending once, whether or not Redis answered lately. */
	void flush() {
		for (Shared each : this.shared.values()) {
			announce(each, true);
		}
	}

	private void announcePending() {
		for (Shared each : this.shared.values()) {
			announce(each);
		}
	}

	/**
	 * Tells the fleet a change made here, if it still is the breaker's state: taken when it follows
	 * the version held here (an operator's always), else the fleet's state is taken instead. Kept
	 * for the heartbeat while Redis does not answer.
	 */
	private void announce(Shared target) {
		announce(target, false);
	}

	/** @param anyway whether to ask Redis even when the link is down (stopping: a last try) */
	private void announce(Shared target, boolean anyway) {
		BreakerLink.Change change = target.pending.getAndSet(null);
		if (change == null || !stillHeld(target.breaker, change)) {
			return;
		}
		if (!anyway && !this.link.isLinked()) {
			target.pending.compareAndSet(null, change);
			return;
		}
		long base = change.byHand() ? -1 : target.version;
		List<?> reply = this.calls.call(() -> this.redis.execute(FleetScripts.ANNOUNCE, List.of(target.key),
				Long.toString(base), change.state().name(), change.forced() ? "1" : "0", change.byHand() ? "1" : "0",
				Long.toString(Math.max(0, change.openFor().toMillis())), WireText.encode(this.instance),
				WireText.encode(change.reason()), Long.toString(STATE_TTL_MILLIS), this.keys.breakerChannel(),
				BreakerMessage.prefix(this.fleet), target.encodedName), this.link.backgroundTimeoutMillis());
		if (reply == null || reply.size() < 2) {
			target.pending.compareAndSet(null, change);
			return;
		}
		if (Long.valueOf(1).equals(reply.get(0)) && reply.get(1) instanceof Long version) {
			target.version = version;
			target.openVersion = (change.state() == State.OPEN) ? version : 0;
			return;
		}
		BreakerMessage held = BreakerMessage.ofReply(reply, 1, this.fleet, target.breaker.getName());
		if (held != null) {
			take(target, held);
		}
	}

	private static boolean stillHeld(CircuitBreaker breaker, BreakerLink.Change change) {
		return breaker.getState() == change.state()
				&& (change.state() != State.OPEN || breaker.isForcedOpen() == change.forced());
	}

	private void later(Runnable task) {
		try {
			this.thread.execute(task);
		}
		catch (RejectedExecutionException ex) {
			// Stopping.
		}
	}

	/** One shared breaker: its link to the fleet. */
	private final class Shared implements BreakerLink {

		final CircuitBreaker breaker;

		final String key;

		final String encodedName;

		/** The fleet's version of the state this breaker holds (taken, or given and taken by Redis); 0: none. */
		volatile long version;

		/** {@link #version} when it is of an open state, else 0: the round of the trials after it. */
		volatile long openVersion;

		/** A change made here, not yet taken by Redis. */
		final AtomicReference<BreakerLink.@Nullable Change> pending = new AtomicReference<>();

		/** The latest message from the channel, not yet taken. */
		final AtomicReference<@Nullable BreakerMessage> received = new AtomicReference<>();

		Shared(CircuitBreaker breaker) {
			this.breaker = breaker;
			this.key = SharedBreakers.this.keys.breaker(breaker.getName());
			this.encodedName = WireText.encode(breaker.getName());
		}

		@Override
		public boolean isShared() {
			return true;
		}

		@Override
		public void announce(CircuitBreaker breaker, Change change) {
			this.pending.set(change);
			SharedBreakers.this.announcing.request();
		}

		/** The fleet's round when this breaker's open state is the fleet's; else its own (0). */
		@Override
		public long round(CircuitBreaker breaker) {
			return (this.pending.get() == null) ? this.openVersion : 0;
		}

		@Override
		public @Nullable Boolean acquireTrial(CircuitBreaker breaker, long round, int calls) {
			FleetLink link = SharedBreakers.this.link;
			if (round == 0 || !link.isLinked()) {
				return null;
			}
			long staleMillis = 2 * breaker.getConfig().getHalfOpenMaxWait().toMillis();
			Long permit = SharedBreakers.this.calls.inLane(() -> SharedBreakers.this.redis.execute(FleetScripts.TRIAL,
					List.of(this.key), Long.toString(round), Integer.toString(calls), Long.toString(staleMillis)),
					link.timeoutMillis());
			if (permit == null) {
				link.unanswered();
				return null;
			}
			if (permit < 0) {
				// The fleet holds another state than this round's: take it; until then, this call
				// waits for it only if this instance held the round's state (nothing else will move it).
				later(() -> resync(this));
				return (permit == -1 && this.version == round) ? Boolean.FALSE : null;
			}
			return permit > 0;
		}

		@Override
		public void releaseTrial(CircuitBreaker breaker, long round) {
			if (round != 0 && SharedBreakers.this.link.isLinked()) {
				SharedBreakers.this.calls.laterInLane(() -> SharedBreakers.this.redis.execute(FleetScripts.RELEASE,
						List.of(this.key), Long.toString(round)), SharedBreakers.this.link.backgroundTimeoutMillis());
			}
		}

		@Override
		public boolean trialSucceeded(CircuitBreaker breaker, long round, int calls) {
			FleetLink link = SharedBreakers.this.link;
			if (round == 0 || !link.isLinked()) {
				return false;
			}
			SharedBreakers.this.calls
				.laterInLane(() -> SharedBreakers.this.redis.execute(FleetScripts.TRIAL_SUCCEEDED, List.of(this.key),
						Long.toString(round), Integer.toString(calls),
						WireText.encode(SharedBreakers.this.instance),
						WireText.encode(calls + " trial call(s) succeeded across the fleet"),
						Long.toString(STATE_TTL_MILLIS), SharedBreakers.this.keys.breakerChannel(),
						BreakerMessage.prefix(SharedBreakers.this.fleet), this.encodedName),
						link.backgroundTimeoutMillis())
				.whenCompleteAsync((reply, failure) -> counted(reply, round, calls), SharedBreakers.this.thread);
			return true;
		}

		/** What the fleet said to a trial's success, on the fleet's thread. */
		private void counted(@Nullable List<?> reply, long round, int calls) {
			if (reply == null || reply.isEmpty() || !(reply.get(0) instanceof Long status) || status == -2) {
				// Not counted (no answer, or Redis lost the round: restarted under it): the successes
				// seen here decide.
				this.breaker.settleAlone(round);
				return;
			}
			if (status == 1 && reply.size() > 1 && reply.get(1) instanceof Long closed && closed > this.version) {
				this.version = closed;
				this.openVersion = 0;
				this.breaker.adopt(new Change(this.breaker.getName(), State.CLOSED, Duration.ZERO, false, false,
						calls + " trial call(s) succeeded across the fleet"), SharedBreakers.this.instance);
			}
			else if (status < 0) {
				resync(this);
			}
		}

		@Override
		public String toString() {
			return "fleet " + SharedBreakers.this.fleet + " (" + SharedBreakers.this.link.timeoutMillis()
					+ " ms operation-timeout)";
		}

	}

}
