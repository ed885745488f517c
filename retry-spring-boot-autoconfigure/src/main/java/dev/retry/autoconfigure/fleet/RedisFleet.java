package dev.retry.autoconfigure.fleet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import dev.retry.autoconfigure.config.MethodRegistry;
import dev.retry.autoconfigure.config.RetryTuning;
import dev.retry.breaker.BreakerLink;
import dev.retry.breaker.CircuitBreaker;
import dev.retry.breaker.State;
import dev.retry.budget.BudgetLink;
import dev.retry.budget.RetryBudget;
import dev.retry.internal.Durations;
import dev.retry.policy.RetryPolicy;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

/**
 * The fleet: breakers shared by every instance with the same fleet name, through Redis. Each
 * shared breaker gets a {@link BreakerLink} that publishes its state changes on the fleet's
 * channel and keeps them in a key with an expiry (so that an instance starting later adopts them),
 * and counts half-open trial calls in Redis (a counter per round that expires, so a crashed
 * instance cannot hold a trial). What arrives on the channel is data: malformed messages, messages
 * of another fleet and messages about breakers this instance does not share are ignored and
 * counted.
 *
 * <p>A closed breaker's calls never touch Redis. Only a half-open trial asks it, and waits at most
 * {@code operation-timeout}; Redis operations run on the fleet's own daemon threads, so a Redis
 * that hangs holds none of the application's. When Redis is unreachable, every instance goes on
 * with its local breakers; a heartbeat every second notices its return and resynchronises.
 */
public final class RedisFleet implements FleetView, SmartLifecycle {

	private static final Log logger = LogFactory.getLog("dev.retry.Fleet");

	/** Adds one to a counter, giving it an expiry when it is new; answers the count. */
	private static final RedisScript<Long> COUNT = new DefaultRedisScript<>(
			"local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return n",
			Long.class);

	/**
	 * Takes one retry from a fleet's budget: adds this instance's calls not yet counted to the
	 * current bucket, sums calls and retries over the window's buckets, and counts the retry when
	 * {@code retries + 1 <= min-retries x window + ratio x calls}. KEYS: the window's call buckets,
	 * newest first, then its retry buckets; ARGV: calls to add, min retries, ratio, expiry millis.
	 */
	private static final RedisScript<Long> TAKE_RETRY = new DefaultRedisScript<>("""
			local n = #KEYS / 2
			local add = tonumber(ARGV[1])
			if add > 0 then
			  redis.call('INCRBY', KEYS[1], add)
			  redis.call('PEXPIRE', KEYS[1], ARGV[4])
			end
			local calls, retries = 0, 0
			for i = 1, n do
			  calls = calls + tonumber(redis.call('GET', KEYS[i]) or '0')
			  retries = retries + tonumber(redis.call('GET', KEYS[n + i]) or '0')
			end
			if retries + 1 > tonumber(ARGV[2]) + tonumber(ARGV[3]) * calls then
			  return 0
			end
			redis.call('INCR', KEYS[n + 1])
			redis.call('PEXPIRE', KEYS[n + 1], ARGV[4])
			return 1
			""", Long.class);

	/** Adds calls counted here to a fleet budget's current bucket. KEYS: the bucket; ARGV: calls, expiry millis. */
	private static final RedisScript<Long> ADD_CALLS = new DefaultRedisScript<>(
			"local n = redis.call('INCRBY', KEYS[1], ARGV[1]) redis.call('PEXPIRE', KEYS[1], ARGV[2]) return n",
			Long.class);

	private static final int BUDGET_BUCKETS = 10;

	private static final long MEMBER_TTL_MILLIS = 5_000;

	private final StringRedisTemplate redis;

	private final RedisMessageListenerContainer listener;

	private final String fleet;

	private final String instance;

	private final String prefix;

	private final long timeoutMillis;

	/** The shared breakers by name, sorted; one made on demand joins while the fleet runs ({@link #share}). */
	private final Map<String, CircuitBreaker> shared = new ConcurrentSkipListMap<>();

	private final ThreadPoolExecutor worker;

	private final ScheduledExecutorService heartbeat;

	private final LongAdder ignored = new LongAdder();

	private final @Nullable RetryTuning tuning;

	/** The budgets of scope fleet, by policy: their calls are added to the fleet's count every quarter second. */
	private final Map<String, RetryBudget> budgets = new java.util.concurrent.ConcurrentHashMap<>();

	private volatile boolean linked;

	private volatile List<String> members = List.of();

	private volatile boolean running;

	/** Whether the channels are listened to; not when Redis was down at start-up, until it answers. */
	private volatile boolean subscribed;

	/**
	 * @param breakers the breakers to share: each is linked to the fleet now
	 */
	public RedisFleet(RedisConnectionFactory connectionFactory, String fleet, String instance, String keyPrefix,
			Duration operationTimeout, List<CircuitBreaker> breakers) {
		this(connectionFactory, fleet, instance, keyPrefix, operationTimeout, breakers, null, null);
	}

	/**
	 * @param methods whose budgets of scope fleet become one budget for the fleet, or {@code null}
	 * @param tuning whose runtime changes are passed to every instance and taken from them, or {@code null}
	 */
	public RedisFleet(RedisConnectionFactory connectionFactory, String fleet, String instance, String keyPrefix,
			Duration operationTimeout, List<CircuitBreaker> breakers, @Nullable MethodRegistry methods,
			@Nullable RetryTuning tuning) {
		this.redis = new StringRedisTemplate(connectionFactory);
		this.fleet = fleet;
		this.instance = instance;
		this.prefix = keyPrefix + ":" + fleet + ":";
		this.timeoutMillis = Math.max(1, operationTimeout.toMillis());
		AtomicInteger threads = new AtomicInteger();
		this.worker = new ThreadPoolExecutor(1, 4, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), (task) -> {
			Thread thread = new Thread(task, "retry-fleet-" + threads.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		});
		this.heartbeat = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "retry-fleet-heartbeat");
			thread.setDaemon(true);
			return thread;
		});
		this.listener = new RedisMessageListenerContainer();
		this.listener.setConnectionFactory(connectionFactory);
		this.listener.setRecoveryInterval(1000);
		this.listener.addMessageListener(new Receiver(), new ChannelTopic(channel()));
		this.tuning = tuning;
		if (tuning != null) {
			this.listener.addMessageListener(new TuningReceiver(), new ChannelTopic(this.prefix + "tuning"));
			tuning.relay(this::publishTuningLater);
		}
		breakers.forEach(this::share);
		if (methods != null) {
			methods.linkSharedBudgets((policy, budget) -> {
				this.budgets.put(policy, budget);
				budget.link(new SharedBudget(policy));
			});
		}
	}

	/**
	 * Shares one more breaker with the fleet (one made on demand, for a Spring Cloud circuit breaker
	 * id): linked now, and, once the fleet runs, given the state the fleet holds for it at once
	 * rather than at the next heartbeat.
	 */
	public void share(CircuitBreaker breaker) {
		if (this.shared.putIfAbsent(breaker.getName(), breaker) != null) {
			return;
		}
		breaker.link(new Link());
		if (this.running && this.linked) {
			later(() -> {
				try {
					reconcile(breaker, this.redis.opsForValue().get(stateKey(breaker.getName())), false);
				}
				catch (RuntimeException ex) {
					logger.debug("Could not read the fleet's state of '" + breaker.getName() + "'", ex);
				}
			});
		}
	}

	/** Policies whose budget is the fleet's. */
	public Set<String> getSharedBudgets() {
		return this.budgets.keySet();
	}

	/** The fleet's name. */
	@Override
	public String getName() {
		return this.fleet;
	}

	/** This instance's name in the fleet, as other instances' logs show it. */
	@Override
	public String getInstance() {
		return this.instance;
	}

	/** Whether Redis answered the latest heartbeat. */
	@Override
	public boolean isLinked() {
		return this.linked;
	}

	/** Instances seen in the last few seconds, this one included when linked. */
	@Override
	public List<String> getMembers() {
		return this.members;
	}

	/** Messages ignored: malformed, of another fleet, or about a breaker this instance does not share. */
	@Override
	public long getIgnoredMessages() {
		return this.ignored.sum();
	}

	/** Names of the breakers shared with the fleet. */
	@Override
	public Set<String> getSharedBreakers() {
		return this.shared.keySet();
	}

	@Override
	public void start() {
		this.listener.afterPropertiesSet();
		subscribe();
		// Adopt the fleet's current states before serving calls.
		beat(Math.max(this.timeoutMillis, 2000));
		this.heartbeat.scheduleWithFixedDelay(() -> beat(Math.max(this.timeoutMillis, 1000)), 1, 1, TimeUnit.SECONDS);
		this.heartbeat.scheduleWithFixedDelay(this::addBudgetCalls, 250, 250, TimeUnit.MILLISECONDS);
		this.running = true;
		logger.info("Fleet '" + this.fleet + "': this instance is " + this.instance + "; breakers shared: "
				+ String.join(", ", this.shared.keySet()) + (this.linked ? "" : " (Redis not reachable yet)"));
	}

	/**
	 * Listens on the fleet's channels. Redis may be down when the application starts: it starts all
	 * the same, and the heartbeat subscribes once Redis answers (the container itself recovers from
	 * a connection lost later).
	 */
	private void subscribe() {
		try {
			this.listener.start();
			this.subscribed = true;
		}
		catch (RuntimeException ex) {
			logger.warn("Fleet '" + this.fleet + "': cannot listen to Redis yet (" + ex.getMessage()
					+ "); breakers go on locally until it answers");
		}
	}

	@Override
	public void stop() {
		this.running = false;
		this.heartbeat.shutdownNow();
		try {
			this.listener.stop();
			this.listener.destroy();
		}
		catch (Exception ex) {
			logger.debug("Stopping the fleet's listener failed", ex);
		}
		this.worker.shutdownNow();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/**
	 * After the Redis connection factory (phase 0) and before the web server, so that calls are
	 * served with the fleet's states adopted; stopped in the reverse order.
	 */
	@Override
	public int getPhase() {
		return 1000;
	}

	/**
	 * A heartbeat: tells Redis this instance is alive, reads who else is, and reads every shared
	 * breaker's state key, so that a message missed (a subscription being re-established) is made
	 * up for within a second. After a gap it also tells the fleet what this instance opened meanwhile.
	 */
	private void beat(long timeout) {
		List<String> names = List.copyOf(this.shared.keySet());
		Beat beat = call(() -> {
			long now = System.currentTimeMillis();
			String key = this.prefix + "members";
			this.redis.opsForZSet().add(key, this.instance, now);
			this.redis.opsForZSet().removeRangeByScore(key, 0, now - 2 * MEMBER_TTL_MILLIS);
			this.redis.expire(key, Duration.ofMillis(4 * MEMBER_TTL_MILLIS));
			Set<String> alive = this.redis.opsForZSet().rangeByScore(key, now - MEMBER_TTL_MILLIS, Double.MAX_VALUE);
			List<String> states = names.isEmpty() ? List.of()
					: this.redis.opsForValue().multiGet(names.stream().map(this::stateKey).toList());
			return new Beat((alive != null) ? List.copyOf(alive) : List.of(),
					(states != null) ? new ArrayList<>(states) : new ArrayList<>());
		}, timeout);
		if (beat == null) {
			if (this.linked) {
				this.linked = false;
				logger.warn("Fleet '" + this.fleet + "': Redis is not answering; breakers go on locally until it is back");
			}
			return;
		}
		this.members = beat.members();
		if (!this.subscribed) {
			subscribe();
		}
		boolean gap = !this.linked;
		this.linked = true;
		for (int i = 0; i < names.size(); i++) {
			reconcile(this.shared.get(names.get(i)), (i < beat.states().size()) ? beat.states().get(i) : null, gap);
		}
	}

	/**
	 * Brings one breaker in line with what the fleet holds for it: takes a newer open state, or a
	 * close made after it opened (or after the open state it followed); and tells the fleet an open
	 * state of its own that the fleet does not hold (its message lost while Redis was away or busy).
	 */
	private void reconcile(CircuitBreaker breaker, @Nullable String held, boolean afterGap) {
		FleetMessage message = FleetMessage.parse(held);
		boolean valid = message != null && message.fleet().equals(this.fleet)
				&& message.change().breaker().equals(breaker.getName());
		boolean mine = valid && message.instance().equals(this.instance);
		if (valid && !mine) {
			BreakerLink.Change change = message.change();
			if (change.state() == State.OPEN) {
				breaker.adopt(change, message.instance());
			}
			else if (breaker.getState() != State.CLOSED
					&& (breaker.getOpenedBy() != null || change.until() >= openedAt(breaker))) {
				breaker.adopt(change, message.instance());
			}
		}
		if (breaker.getState() != State.OPEN || breaker.getOpenedBy() != null
				|| (breaker.isForcedOpen() && !afterGap)) {
			return;
		}
		long until = breaker.getOpenUntil();
		boolean known = mine && message.change().state() == State.OPEN && message.change().until() == until;
		if (!known) {
			publishLater(new BreakerLink.Change(breaker.getName(), State.OPEN, until, breaker.isForcedOpen(),
					"opened there while its message could not reach the fleet"));
		}
	}

	/** When an open breaker opened, on the wall clock; never, for one forced open by hand. */
	private static long openedAt(CircuitBreaker breaker) {
		long until = breaker.getOpenUntil();
		return (until == 0) ? Long.MAX_VALUE : until - breaker.getConfig().getOpenDuration().toMillis();
	}

	private record Beat(List<String> members, List<@Nullable String> states) {
	}

	/** Adds the calls each fleet budget counted here since the last time to the fleet's count. */
	private void addBudgetCalls() {
		if (!this.linked) {
			return;
		}
		this.budgets.forEach((policy, budget) -> {
			long calls = budget.drainCalls();
			if (calls > 0) {
				BudgetKeys keys = budgetKeys(policy, budget);
				call(() -> this.redis.execute(ADD_CALLS, List.of(keys.calls().get(0)), Long.toString(calls),
						Long.toString(keys.expiry())), Math.max(this.timeoutMillis, 1000));
			}
		});
	}

	/** The window's call and retry buckets of a fleet budget, newest first, on the wall clock every instance shares. */
	private BudgetKeys budgetKeys(String policy, RetryBudget budget) {
		long window = budget.settings().window().toMillis();
		long bucketMillis = Math.max(1, window / BUDGET_BUCKETS);
		long now = System.currentTimeMillis() / bucketMillis;
		// One hash tag per policy: every key of a budget in one Redis Cluster slot.
		String base = this.prefix + "budget:{" + policy + "}:";
		List<String> calls = new ArrayList<>(BUDGET_BUCKETS);
		List<String> retries = new ArrayList<>(BUDGET_BUCKETS);
		for (int i = 0; i < BUDGET_BUCKETS; i++) {
			calls.add(base + "calls:" + (now - i));
			retries.add(base + "retries:" + (now - i));
		}
		return new BudgetKeys(calls, retries, 2 * window + bucketMillis);
	}

	private record BudgetKeys(List<String> calls, List<String> retries, long expiry) {
	}

	/** One retry budget for the whole fleet: retries ask Redis, bounded by operation-timeout. */
	private final class SharedBudget implements BudgetLink {

		private final String policy;

		SharedBudget(String policy) {
			this.policy = policy;
		}

		@Override
		public @Nullable Boolean tryAcquireRetry(RetryBudget budget) {
			if (!RedisFleet.this.linked) {
				return null;
			}
			BudgetKeys keys = budgetKeys(this.policy, budget);
			long calls = budget.drainCalls();
			RetryPolicy.BudgetSettings settings = budget.settings();
			double minRetries = settings.minRetriesPerSecond() * (settings.window().toMillis() / 1000.0);
			List<String> all = new ArrayList<>(keys.calls());
			all.addAll(keys.retries());
			Long taken = call(() -> RedisFleet.this.redis.execute(TAKE_RETRY, all, Long.toString(calls),
					Double.toString(minRetries), Double.toString(settings.ratio()), Long.toString(keys.expiry())),
					RedisFleet.this.timeoutMillis);
			if (taken == null) {
				unanswered();
				return null;
			}
			return taken == 1L;
		}

	}

	/** Passes a runtime change made here to every other instance. */
	private void publishTuningLater(String kind, String name, @Nullable Map<String, String> values) {
		String message = new TuningMessage(this.fleet, this.instance, kind, name, values).format();
		String unsent = "Fleet '" + this.fleet + "': could not pass the change of " + kind + " '" + name
				+ "' to the other instances";
		boolean queued = later(() -> {
			try {
				this.redis.convertAndSend(this.prefix + "tuning", message);
			}
			catch (RuntimeException ex) {
				logger.warn(unsent + " (Redis: " + ex.getMessage() + ")");
			}
		});
		if (!queued) {
			logger.warn(unsent + ": Redis is not answering");
		}
	}

	/**
	 * Redis did not answer a call's question in time: until the heartbeat hears from it again, no
	 * call asks it, so that no call waits more than one operation-timeout because of it.
	 */
	private void unanswered() {
		if (this.linked) {
			this.linked = false;
			logger.warn("Fleet '" + this.fleet + "': Redis did not answer within " + this.timeoutMillis
					+ " ms; breakers and budgets decide locally until it does");
		}
	}

	/**
	 * Publishes on the fleet's threads: whoever changed the state does not wait for Redis. Not
	 * queued when Redis is slow or gone: the heartbeat resynchronises when it answers again.
	 */
	private void publishLater(BreakerLink.Change change) {
		later(() -> {
			try {
				publish(change);
			}
			catch (RuntimeException ex) {
				logger.debug("Could not tell the fleet that '" + change.breaker() + "' is " + change.state(), ex);
			}
		});
	}

	/** Runs a task on the fleet's threads; {@code false} when all are busy (Redis slow or gone). */
	private boolean later(Runnable task) {
		try {
			this.worker.execute(task);
			return true;
		}
		catch (RejectedExecutionException ex) {
			return false;
		}
	}

	private void publish(BreakerLink.Change change) {
		String message = new FleetMessage(this.fleet, this.instance, change).format();
		String key = stateKey(change.breaker());
		if (change.state() == State.OPEN) {
			long ttl = change.forced() ? Duration.ofDays(7).toMillis()
					: Math.max(1000, change.until() - System.currentTimeMillis() + 5000);
			this.redis.opsForValue().set(key, message, Duration.ofMillis(ttl));
		}
		else {
			// Kept a while, so that an instance that missed the message still learns it closed.
			this.redis.opsForValue().set(key, message, Duration.ofHours(1));
		}
		this.redis.convertAndSend(channel(), message);
	}

	/** Runs a Redis operation on the fleet's threads, waiting at most {@code timeout}; {@code null} when it did not answer. */
	private <T> @Nullable T call(Callable<T> operation, long timeout) {
		Future<T> result;
		try {
			result = this.worker.submit(operation);
		}
		catch (RejectedExecutionException ex) {
			return null;
		}
		try {
			return result.get(timeout, TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			result.cancel(true);
			return null;
		}
		catch (Exception ex) {
			result.cancel(true);
			return null;
		}
	}

	private String channel() {
		return this.prefix + "breakers";
	}

	private String stateKey(String breaker) {
		return this.prefix + "breaker:" + breaker;
	}

	/** The link of one shared breaker. */
	private final class Link implements BreakerLink {

		@Override
		public boolean isShared() {
			return true;
		}

		@Override
		public void announce(CircuitBreaker breaker, Change change) {
			publishLater(change);
		}

		@Override
		public @Nullable Boolean acquireTrial(CircuitBreaker breaker, long round, int calls) {
			Long taken = count("trial:", breaker, round);
			return (taken != null) ? taken <= calls : null;
		}

		@Override
		public int trialSucceeded(CircuitBreaker breaker, long round) {
			Long succeeded = count("trial-ok:", breaker, round);
			return (succeeded != null) ? succeeded.intValue() : -1;
		}

		private @Nullable Long count(String what, CircuitBreaker breaker, long round) {
			if (!RedisFleet.this.linked) {
				return null;
			}
			String key = RedisFleet.this.prefix + what + breaker.getName() + ":" + round;
			// A trial still running after half-open-max-wait counts as failed: the round's counters go with it.
			long ttl = Math.max(1000, breaker.getConfig().getHalfOpenMaxWait().toMillis() * 2);
			Long count = call(() -> RedisFleet.this.redis.execute(COUNT, List.of(key), Long.toString(ttl)),
					RedisFleet.this.timeoutMillis);
			if (count == null) {
				unanswered();
			}
			return count;
		}

		@Override
		public String toString() {
			return "fleet " + RedisFleet.this.fleet + " (" + Durations.text(Duration.ofMillis(RedisFleet.this.timeoutMillis))
					+ " operation-timeout)";
		}

	}

	/** Runtime changes made on other instances: applied here as they were there. */
	private final class TuningReceiver implements MessageListener {

		@Override
		public void onMessage(Message message, byte @Nullable [] pattern) {
			TuningMessage received = TuningMessage.parse(new String(message.getBody(),
					java.nio.charset.StandardCharsets.UTF_8));
			if (received == null || !received.fleet().equals(RedisFleet.this.fleet)) {
				RedisFleet.this.ignored.increment();
				return;
			}
			if (received.instance().equals(RedisFleet.this.instance)) {
				return;
			}
			String by = "fleet, from " + received.instance();
			RetryTuning tuning = RedisFleet.this.tuning;
			Map<String, String> values = received.values();
			try {
				if (RetryTuning.Relay.BREAKER.equals(received.kind())) {
					if (values != null) {
						tuning.overrideBreaker(received.name(), values, by, false);
					}
					else {
						tuning.clearBreaker(received.name(), by, false);
					}
				}
				else if (values != null) {
					tuning.overridePolicy(received.name(), values, by, false);
				}
				else {
					tuning.clearPolicy(received.name(), by, false);
				}
			}
			catch (RuntimeException ex) {
				RedisFleet.this.ignored.increment();
				logger.warn("Fleet '" + RedisFleet.this.fleet + "': the change of " + received.kind() + " '"
						+ received.name() + "' made on " + received.instance() + " was not taken here: " + ex.getMessage());
			}
		}

	}

	/** What arrives on the fleet's channel. */
	private final class Receiver implements MessageListener {

		@Override
		public void onMessage(Message message, byte @Nullable [] pattern) {
			try {
				FleetMessage received = FleetMessage.parse(new String(message.getBody(),
						java.nio.charset.StandardCharsets.UTF_8));
				if (received == null || !received.fleet().equals(RedisFleet.this.fleet)) {
					RedisFleet.this.ignored.increment();
					return;
				}
				if (received.instance().equals(RedisFleet.this.instance)) {
					return;
				}
				CircuitBreaker breaker = RedisFleet.this.shared.get(received.change().breaker());
				if (breaker == null) {
					RedisFleet.this.ignored.increment();
					return;
				}
				breaker.adopt(received.change(), received.instance());
			}
			catch (RuntimeException ex) {
				RedisFleet.this.ignored.increment();
			}
		}

	}

}
