package dev.retry.autoconfigure.fleet;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.autoconfigure.config.MethodRegistry;
import dev.retry.autoconfigure.config.RetryTuning;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

/**
 * The fleet: breakers, budgets and runtime overrides shared by every instance with the same fleet
 * name, through Redis. This class links the instance to Redis and keeps the heartbeat; the parts
 * each do one job: {@link SharedBreakers}, {@link SharedBudgets}, {@link TuningRelay}.
 *
 * <p>Everything that changes what this instance holds of the fleet's state runs on the fleet's one
 * thread, in order; what arrives on the channels is kept there (the latest per breaker, policy)
 * and taken in one go, so that a burst of messages costs no thread and no queue per message. A
 * heartbeat every second tells Redis this instance is alive and reads what the fleet holds, so that
 * a message missed (a subscription being re-established, a partition, a restart) is made up for.
 * A closed breaker's calls never touch Redis; a half-open trial and a retry of a fleet budget ask
 * it, waiting at most {@code operation-timeout}, on the fleet's own daemon threads.
 */
public final class RedisFleet implements FleetView, SmartLifecycle {

	private static final Log logger = LogFactory.getLog("dev.retry.Fleet");

	private static final long MEMBER_TTL_MILLIS = 5_000;

	private final StringRedisTemplate redis;

	private final RedisMessageListenerContainer listener;

	private final String fleet;

	private final String instance;

	private final FleetKeys keys;

	private final FleetLink link;

	private final RedisCalls calls;

	/** The fleet's one thread: see the class description. */
	private final ScheduledThreadPoolExecutor thread;

	private final LongAdder ignored = new LongAdder();

	private final SharedBreakers breakers;

	private final SharedBudgets budgets;

	private final @Nullable TuningRelay tuning;

	private volatile List<String> members = List.of();

	private volatile boolean running;

	/** Whether the channels are listened to; not when Redis was down at start-up, until it answers. */
	private volatile boolean subscribed;

	/**
	 * @param breakers the application's breakers: each one {@code shared} says is of scope fleet is
	 * shared, those registered later too
	 * @param methods whose budgets of scope fleet become one budget for the fleet, or {@code null}
	 * @param tuning whose runtime changes are passed to every instance and taken from them, or {@code null}
	 * @param access whether a change from the fleet may be made here (this instance's endpoint access)
	 */
	public RedisFleet(RedisConnectionFactory connectionFactory, String fleet, String instance, String keyPrefix,
			Duration operationTimeout, CircuitBreakerRegistry breakers, Predicate<String> shared,
			@Nullable MethodRegistry methods, @Nullable RetryTuning tuning, FleetWriteAccess access) {
		this.redis = new StringRedisTemplate(connectionFactory);
		this.fleet = fleet;
		this.instance = instance;
		this.keys = new FleetKeys(keyPrefix, fleet);
		this.link = new FleetLink(fleet, Math.max(1, operationTimeout.toMillis()));
		this.calls = new RedisCalls("retry-fleet");
		this.thread = new ScheduledThreadPoolExecutor(1, (task) -> {
			Thread thread = new Thread(task, "retry-fleet");
			thread.setDaemon(true);
			return thread;
		});
		this.thread.setRemoveOnCancelPolicy(true);
		this.breakers = new SharedBreakers(this.redis, this.calls, this.thread, this.keys, this.link, fleet, instance,
				access, this.ignored);
		this.budgets = new SharedBudgets(this.redis, this.calls, this.keys, this.link);
		this.tuning = (tuning != null) ? new TuningRelay(this.redis, this.calls, this.thread, this.keys, this.link,
				fleet, instance, tuning, access, (name) -> this.breakers.names().contains(name), this.ignored) : null;
		this.listener = new RedisMessageListenerContainer();
		this.listener.setConnectionFactory(connectionFactory);
		this.listener.setRecoveryInterval(1000);
		// Listeners only keep what arrives for the fleet's thread: they run where the message is read.
		this.listener.setTaskExecutor(Runnable::run);
		SimpleAsyncTaskExecutor subscriptions = new SimpleAsyncTaskExecutor("retry-fleet-subscription-");
		subscriptions.setDaemon(true);
		this.listener.setSubscriptionExecutor(subscriptions);
		this.listener.addMessageListener(new BreakerReceiver(), new ChannelTopic(this.keys.breakerChannel()));
		if (this.tuning != null) {
			this.listener.addMessageListener(new TuningReceiver(), new ChannelTopic(this.keys.tuningChannel()));
			tuning.relay(this.tuning);
		}
		breakers.onBreakerAdded((breaker) -> {
			if (shared.test(breaker.getName())) {
				this.breakers.share(breaker);
			}
		});
		if (methods != null) {
			methods.linkSharedBudgets(this.budgets::share);
		}
	}

	/** Policies whose budget is the fleet's. */
	public Set<String> getSharedBudgets() {
		return this.budgets.policies();
	}

	@Override
	public String getName() {
		return this.fleet;
	}

	@Override
	public String getInstance() {
		return this.instance;
	}

	@Override
	public boolean isLinked() {
		return this.link.isLinked();
	}

	@Override
	public List<String> getMembers() {
		return this.members;
	}

	@Override
	public long getIgnoredMessages() {
		return this.ignored.sum();
	}

	@Override
	public Set<String> getSharedBreakers() {
		return this.breakers.names();
	}

	@Override
	public void start() {
		this.listener.afterPropertiesSet();
		subscribe();
		// Takes the fleet's states and overrides before calls are served.
		Future<?> first = this.thread.submit(this::beat);
		try {
			first.get(Math.max(this.link.timeoutMillis(), 2000) * 4, TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (Exception ex) {
			logger.debug("The fleet's first heartbeat did not end in time", ex);
		}
		this.thread.scheduleWithFixedDelay(this::beat, 1, 1, TimeUnit.SECONDS);
		this.thread.scheduleWithFixedDelay(this::addBudgetCalls, 250, 250, TimeUnit.MILLISECONDS);
		this.running = true;
		logger.info("Fleet '" + this.fleet + "': this instance is " + this.instance + "; breakers shared: "
				+ String.join(", ", this.breakers.names()) + (this.link.isLinked() ? "" : " (Redis not reachable yet)"));
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
		flush();
		this.thread.shutdownNow();
		try {
			this.listener.stop();
			this.listener.destroy();
		}
		catch (Exception ex) {
			logger.debug("Stopping the fleet's listener failed", ex);
		}
		this.calls.close();
	}

	/**
	 * Stopping: what this instance changed and has not told the fleet yet (a state, an override made
	 * while Redis was down) is told now, once, after whatever the fleet's thread is doing; the wait
	 * is bounded, so that a Redis gone does not hold the shutdown.
	 */
	private void flush() {
		try {
			Future<?> flushed = this.thread.submit(() -> {
				this.breakers.flush();
				if (this.tuning != null) {
					this.tuning.flush();
				}
			});
			flushed.get(2 * this.link.backgroundTimeoutMillis() + 500, TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (Exception ex) {
			logger.debug("Telling the fleet what was pending before stopping did not end in time", ex);
		}
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
	 * The heartbeat, on the fleet's thread: tells Redis this instance is alive and reads who else
	 * is (on Redis's clock), then brings breakers and overrides in line with the fleet's.
	 */
	private void beat() {
		try {
			List<Object> alive = this.calls.call(() -> this.redis.execute(FleetScripts.MEMBERS,
					List.of(this.keys.members()), this.instance, Long.toString(MEMBER_TTL_MILLIS)),
					this.link.backgroundTimeoutMillis());
			if (alive == null) {
				this.link.lost();
				return;
			}
			this.members = alive.stream().map(String::valueOf).toList();
			if (this.link.heard()) {
				loadScripts();
				if (!this.subscribed) {
					subscribe();
				}
			}
			this.breakers.reconcile();
			if (this.tuning != null) {
				this.tuning.reconcile();
			}
		}
		catch (RuntimeException ex) {
			// A heartbeat never stops the next one.
			logger.debug("Fleet heartbeat failed", ex);
		}
	}

	/** Loads the scripts into Redis (it forgets them when it restarts), so that no call waits for an EVAL. */
	private void loadScripts() {
		this.calls.call(() -> this.redis.execute(new ScriptLoad()), this.link.backgroundTimeoutMillis());
	}

	/** Loads every script of the fleet. */
	private static final class ScriptLoad implements RedisCallback<Object> {

		@Override
		public @Nullable Object doInRedis(RedisConnection connection) {
			for (RedisScript<?> script : FleetScripts.ALL) {
				connection.scriptingCommands().scriptLoad(script.getScriptAsString().getBytes(StandardCharsets.UTF_8));
			}
			return null;
		}

	}

	private void addBudgetCalls() {
		try {
			this.budgets.addCalls();
		}
		catch (RuntimeException ex) {
			logger.debug("Adding the fleet budgets' calls failed", ex);
		}
	}

	/** What arrives on the breakers' channel: kept for the fleet's thread, or ignored and counted. */
	private final class BreakerReceiver implements MessageListener {

		@Override
		public void onMessage(Message message, byte @Nullable [] pattern) {
			try {
				BreakerMessage received = BreakerMessage.parse(new String(message.getBody(), StandardCharsets.UTF_8));
				if (received == null || !received.fleet().equals(RedisFleet.this.fleet)) {
					RedisFleet.this.ignored.increment();
					return;
				}
				RedisFleet.this.breakers.received(received);
			}
			catch (RuntimeException ex) {
				RedisFleet.this.ignored.increment();
			}
		}

	}

	/** What arrives on the tuning channel: kept for the fleet's thread, or ignored and counted. */
	private final class TuningReceiver implements MessageListener {

		@Override
		public void onMessage(Message message, byte @Nullable [] pattern) {
			try {
				TuningMessage received = TuningMessage.parse(new String(message.getBody(), StandardCharsets.UTF_8));
				if (received == null || !received.fleet().equals(RedisFleet.this.fleet)) {
					RedisFleet.this.ignored.increment();
					return;
				}
				RedisFleet.this.tuning.received(received);
			}
			catch (RuntimeException ex) {
				RedisFleet.this.ignored.increment();
			}
		}

	}

}
