package dev.retry.autoconfigure.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.retry.backoff.Jitter;
import dev.retry.policy.OnExhausted;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of retries, under {@code retry}. Properties only bind here; turning them into
 * policies (presets, precedence, validation) happens in {@link PolicyAssembler}.
 */
@ConfigurationProperties("retry")
public class RetryProperties {

	/**
	 * Whether annotated methods are retried. When false, the annotations do nothing at all.
	 */
	private boolean enabled = true;

	/**
	 * Values every policy starts from; also the policy named "default", used by a plain
	 * {@code @Retryable}. A key set here (or by MAX_RETRY_ATTEMPTS, RETRY_BASE_DELAY,
	 * RETRY_MAX_DELAY, RETRY_EXPONENTIAL_BACKOFF) wins over the built-in presets.
	 */
	private final Policy defaults = new Policy();

	/**
	 * Named policies. A key set here wins over retry.defaults, which wins over the built-in preset
	 * of the same name.
	 */
	private final Map<String, Policy> policies = new LinkedHashMap<>();

	/**
	 * Circuit breakers by name. Every name used in @CircuitBreaker must be declared here with at
	 * least one key; keys left out take their defaults.
	 */
	private final Map<String, Breaker> circuitBreakers = new LinkedHashMap<>();

	/**
	 * The circuitBreakers health contributor.
	 */
	private final Health health = new Health();

	/**
	 * Checks made at start-up.
	 */
	private final Startup startup = new Startup();

	/**
	 * The recent events kept for /actuator/retryevents.
	 */
	private final Events events = new Events();

	/**
	 * Calls and attempts as Micrometer Observations (spans with Micrometer Tracing).
	 */
	private final Observations observations = new Observations();

	/**
	 * Breakers shared by every instance of a fleet, through Redis.
	 */
	private final Fleet fleet = new Fleet();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public Policy getDefaults() {
		return this.defaults;
	}

	public Map<String, Policy> getPolicies() {
		return this.policies;
	}

	public Map<String, Breaker> getCircuitBreakers() {
		return this.circuitBreakers;
	}

	public Events getEvents() {
		return this.events;
	}

	public Observations getObservations() {
		return this.observations;
	}

	public Fleet getFleet() {
		return this.fleet;
	}

	public Startup getStartup() {
		return this.startup;
	}

	public Health getHealth() {
		return this.health;
	}

	/**
	 * The recent events kept for /actuator/retryevents.
	 */
	public static class Events {

		/**
		 * How many recent events /actuator/retryevents keeps; older ones are overwritten.
		 */
		private int capacity = 1000;

		public int getCapacity() {
			return this.capacity;
		}

		public void setCapacity(int capacity) {
			this.capacity = capacity;
		}

	}

	/**
	 * Calls and attempts as Micrometer Observations.
	 */
	public static class Observations {

		/**
		 * Whether each call of an annotated method is an Observation "retry.call" and each attempt
		 * its child "retry.attempt", where a handler other than the meter handlers records them (a
		 * tracer), and whether the logging MDC holds the attempt's fields during each observed
		 * attempt and each retry.
		 */
		private boolean enabled = true;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

	}

	/**
	 * Breakers shared by every instance of a fleet, through Redis.
	 */
	public static class Fleet {

		/**
		 * Whether breakers are shared by every instance of the fleet, through the application's
		 * Redis (spring-boot-starter-data-redis and spring.data.redis.*). One breaker opening opens
		 * it on every instance; half-open trial calls are counted across the fleet.
		 */
		private boolean enabled = false;

		/**
		 * Instances with the same fleet name share state. Defaults to spring.application.name.
		 */
		private @Nullable String name;

		/**
		 * Prefix of every Redis key and channel the fleet uses.
		 */
		private String keyPrefix = "retry";

		/**
		 * Longest a call waits for Redis (only half-open trial calls ever ask it); past it, the
		 * instance decides alone.
		 */
		@DecimalSeconds
		private Duration operationTimeout = Duration.ofMillis(100);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public @Nullable String getName() {
			return this.name;
		}

		public void setName(@Nullable String name) {
			this.name = name;
		}

		public String getKeyPrefix() {
			return this.keyPrefix;
		}

		public void setKeyPrefix(String keyPrefix) {
			this.keyPrefix = keyPrefix;
		}

		public Duration getOperationTimeout() {
			return this.operationTimeout;
		}

		public void setOperationTimeout(Duration operationTimeout) {
			this.operationTimeout = operationTimeout;
		}

	}

	/**
	 * Where a breaker's state lives.
	 */
	public enum Scope {

		/**
		 * Shared by every instance of the fleet (retry.fleet.enabled).
		 */
		FLEET,

		/**
		 * This instance's alone.
		 */
		LOCAL

	}

	public static class Startup {

		/**
		 * What to do about calls on "this" to an annotated method, found in the bytecode of each
		 * bean class at start-up: such a call bypasses the Spring proxy, so the annotation does not
		 * apply to it. warn logs each call site, fail stops start-up listing them, ignore skips the
		 * scan.
		 */
		private SelfInvocation selfInvocation = SelfInvocation.WARN;

		public SelfInvocation getSelfInvocation() {
			return this.selfInvocation;
		}

		public void setSelfInvocation(SelfInvocation selfInvocation) {
			this.selfInvocation = selfInvocation;
		}

	}

	/** What start-up does about a call on "this" to an annotated method. */
	public enum SelfInvocation {

		/** Logs one WARN per call site. */
		WARN,

		/** Fails start-up with a failure analysis listing every call site. */
		FAIL,

		/** Does not look. */
		IGNORE

	}

	public static class Health {

		/**
		 * Whether the circuitBreakers health contributor reports DOWN while any breaker is open.
		 * By default it stays UP: an open breaker is the application protecting itself.
		 */
		private boolean downWhenOpen = false;

		public boolean isDownWhenOpen() {
			return this.downWhenOpen;
		}

		public void setDownWhenOpen(boolean downWhenOpen) {
			this.downWhenOpen = downWhenOpen;
		}

	}

	/**
	 * One retry policy.
	 */
	public static class Policy {

		/**
		 * Attempts in all, the first call included. At least 1.
		 */
		private int maxAttempts = 3;

		/**
		 * Delay before the first retry. Bare numbers are seconds, decimals allowed (0.5).
		 */
		@DecimalSeconds
		private Duration baseDelay = Duration.ofSeconds(1);

		/**
		 * Longest single delay; no computed or requested wait exceeds it. Not below base-delay.
		 */
		@DecimalSeconds
		private Duration maxDelay = Duration.ofSeconds(60);

		/**
		 * Whether delays grow by the multiplier after each retry. When false, every delay is
		 * base-delay.
		 */
		private boolean exponentialBackoff = true;

		/**
		 * Factor by which the delay grows after each retry. At least 1.
		 */
		private double multiplier = 2.0;

		/**
		 * Randomness added to each delay: none, proportional (delay + up to jitter-factor x
		 * delay), full (0 to delay), equal (half the delay plus up to half) or decorrelated.
		 */
		private Jitter jitter = Jitter.PROPORTIONAL;

		/**
		 * Share of the delay that proportional jitter may add, within 0 and 1.
		 */
		private double jitterFactor = 0.3;

		/**
		 * Deadline across all attempts and waits of one call; a wait that would cross it is not
		 * started. 0 for none.
		 */
		@DecimalSeconds
		private Duration maxDuration = Duration.ZERO;

		/**
		 * How long one attempt may run before it fails with AttemptTimeoutException and is
		 * retried like any transient failure. A synchronous method is interrupted on its own
		 * thread; a future is cancelled; a subscription is cancelled. 0 = no limit.
		 */
		@DecimalSeconds
		private Duration attemptTimeout = Duration.ZERO;

		/**
		 * For CompletableFuture, Mono and Flux methods: how long an attempt may go unanswered
		 * before another starts beside it; the first success wins, the others are cancelled. 0 =
		 * no hedging.
		 */
		@DecimalSeconds
		private Duration hedgeDelay = Duration.ZERO;

		/**
		 * Hedges at most started beside one attempt, when hedge-delay is set.
		 */
		private int maxHedges = 1;

		/**
		 * Fully qualified names of exceptions to retry (along the cause chain). When empty, the
		 * built-in classification of transient failures applies.
		 */
		private List<String> retryOn = new ArrayList<>();

		/**
		 * Fully qualified names of exceptions never retried (along the cause chain). Wins over
		 * everything else.
		 */
		private List<String> noRetryOn = new ArrayList<>();

		/**
		 * HTTP response statuses retried by the built-in classification.
		 */
		private List<Integer> retryOnStatus = new ArrayList<>(List.of(408, 429, 500, 502, 503, 504));

		/**
		 * Whether a Retry-After header on a 429 or 503 response sets the wait (the larger of it
		 * and the computed delay, capped at max-delay).
		 */
		private boolean respectRetryAfter = true;

		/**
		 * What the caller gets when every attempt failed: rethrow (the last exception itself) or
		 * wrap (an unchecked dev.retry.RetryExhaustedException).
		 */
		private OnExhausted onExhausted = OnExhausted.RETHROW;

		/**
		 * Retry budget: caps the share of calls that retries may add. Off unless ratio is above 0.
		 */
		private final Budget budget = new Budget();

		public int getMaxAttempts() {
			return this.maxAttempts;
		}

		public void setMaxAttempts(int maxAttempts) {
			this.maxAttempts = maxAttempts;
		}

		public Duration getBaseDelay() {
			return this.baseDelay;
		}

		public void setBaseDelay(Duration baseDelay) {
			this.baseDelay = baseDelay;
		}

		public Duration getMaxDelay() {
			return this.maxDelay;
		}

		public void setMaxDelay(Duration maxDelay) {
			this.maxDelay = maxDelay;
		}

		public boolean isExponentialBackoff() {
			return this.exponentialBackoff;
		}

		public void setExponentialBackoff(boolean exponentialBackoff) {
			this.exponentialBackoff = exponentialBackoff;
		}

		public double getMultiplier() {
			return this.multiplier;
		}

		public void setMultiplier(double multiplier) {
			this.multiplier = multiplier;
		}

		public Jitter getJitter() {
			return this.jitter;
		}

		public void setJitter(Jitter jitter) {
			this.jitter = jitter;
		}

		public double getJitterFactor() {
			return this.jitterFactor;
		}

		public void setJitterFactor(double jitterFactor) {
			this.jitterFactor = jitterFactor;
		}

		public Duration getMaxDuration() {
			return this.maxDuration;
		}

		public void setMaxDuration(Duration maxDuration) {
			this.maxDuration = maxDuration;
		}

		public Duration getAttemptTimeout() {
			return this.attemptTimeout;
		}

		public void setAttemptTimeout(Duration attemptTimeout) {
			this.attemptTimeout = attemptTimeout;
		}

		public Duration getHedgeDelay() {
			return this.hedgeDelay;
		}

		public void setHedgeDelay(Duration hedgeDelay) {
			this.hedgeDelay = hedgeDelay;
		}

		public int getMaxHedges() {
			return this.maxHedges;
		}

		public void setMaxHedges(int maxHedges) {
			this.maxHedges = maxHedges;
		}

		public List<String> getRetryOn() {
			return this.retryOn;
		}

		public void setRetryOn(List<String> retryOn) {
			this.retryOn = retryOn;
		}

		public List<String> getNoRetryOn() {
			return this.noRetryOn;
		}

		public void setNoRetryOn(List<String> noRetryOn) {
			this.noRetryOn = noRetryOn;
		}

		public List<Integer> getRetryOnStatus() {
			return this.retryOnStatus;
		}

		public void setRetryOnStatus(List<Integer> retryOnStatus) {
			this.retryOnStatus = retryOnStatus;
		}

		public boolean isRespectRetryAfter() {
			return this.respectRetryAfter;
		}

		public void setRespectRetryAfter(boolean respectRetryAfter) {
			this.respectRetryAfter = respectRetryAfter;
		}

		public OnExhausted getOnExhausted() {
			return this.onExhausted;
		}

		public void setOnExhausted(OnExhausted onExhausted) {
			this.onExhausted = onExhausted;
		}

		public Budget getBudget() {
			return this.budget;
		}

	}

	/**
	 * Retry budget: retries within the window may not exceed min-retries-per-second x
	 * window-seconds + ratio x calls in the window.
	 */
	public static class Budget {

		/**
		 * Share of calls that retries may add, such as 0.1 for 10%. 0 turns the budget off.
		 */
		private double ratio = 0;

		/**
		 * Retries always allowed per second, however few calls there are.
		 */
		private int minRetriesPerSecond = 10;

		/**
		 * Sliding window over which calls and retries are counted.
		 */
		@DecimalSeconds
		private Duration window = Duration.ofSeconds(10);

		/**
		 * local: each instance has its own budget. fleet: one budget for every instance of the
		 * fleet (needs retry.fleet.enabled); calls are still counted locally, only retries ask Redis.
		 */
		private Scope scope = Scope.LOCAL;

		public Scope getScope() {
			return this.scope;
		}

		public void setScope(Scope scope) {
			this.scope = scope;
		}

		public double getRatio() {
			return this.ratio;
		}

		public void setRatio(double ratio) {
			this.ratio = ratio;
		}

		public int getMinRetriesPerSecond() {
			return this.minRetriesPerSecond;
		}

		public void setMinRetriesPerSecond(int minRetriesPerSecond) {
			this.minRetriesPerSecond = minRetriesPerSecond;
		}

		public Duration getWindow() {
			return this.window;
		}

		public void setWindow(Duration window) {
			this.window = window;
		}

	}

	/**
	 * One circuit breaker, shared by every method that names it.
	 */
	public static class Breaker {

		/**
		 * Consecutive failures that open the breaker. 0 turns this rule off.
		 */
		private int failureThreshold = 5;

		/**
		 * Failure rate, in percent, over the sliding window that opens the breaker. 0 turns this
		 * rule off.
		 */
		private int failureRateThreshold = 0;

		/**
		 * Number of most recent calls the failure rate is computed over.
		 */
		private int slidingWindowSize = 100;

		/**
		 * Calls the sliding window must have seen before the failure rate applies.
		 */
		private int minimumCalls = 20;

		/**
		 * Calls slower than this count as failures for the failure rate. 0 turns this off.
		 */
		@DecimalSeconds
		private Duration slowCallDuration = Duration.ZERO;

		/**
		 * How long the breaker stays open before letting trial calls through (half-open).
		 */
		@DecimalSeconds
		private Duration openDuration = Duration.ofSeconds(60);

		/**
		 * Trial calls let through while half-open; all must succeed to close the breaker.
		 */
		private int halfOpenCalls = 1;

		/**
		 * How long trial calls may run while half-open: trials still running after it count as
		 * failed and the breaker opens again, so a hung trial never keeps it half-open. Defaults
		 * to open-duration.
		 */
		@DecimalSeconds
		private @Nullable Duration halfOpenMaxWait;

		/**
		 * Fully qualified names of exceptions that count as failures. When empty, every failure
		 * counts except those in ignore-on and HTTP 4xx responses other than 408 and 429.
		 */
		private List<String> recordOn = new ArrayList<>();

		/**
		 * Fully qualified names of exceptions that never count as failures.
		 */
		private List<String> ignoreOn = new ArrayList<>();

		/**
		 * Whether the breaker is shared by the fleet or is this instance's alone. Defaults to fleet
		 * when retry.fleet.enabled, else local.
		 */
		private @Nullable Scope scope;

		public @Nullable Scope getScope() {
			return this.scope;
		}

		public void setScope(@Nullable Scope scope) {
			this.scope = scope;
		}

		public int getFailureThreshold() {
			return this.failureThreshold;
		}

		public void setFailureThreshold(int failureThreshold) {
			this.failureThreshold = failureThreshold;
		}

		public int getFailureRateThreshold() {
			return this.failureRateThreshold;
		}

		public void setFailureRateThreshold(int failureRateThreshold) {
			this.failureRateThreshold = failureRateThreshold;
		}

		public int getSlidingWindowSize() {
			return this.slidingWindowSize;
		}

		public void setSlidingWindowSize(int slidingWindowSize) {
			this.slidingWindowSize = slidingWindowSize;
		}

		public int getMinimumCalls() {
			return this.minimumCalls;
		}

		public void setMinimumCalls(int minimumCalls) {
			this.minimumCalls = minimumCalls;
		}

		public Duration getSlowCallDuration() {
			return this.slowCallDuration;
		}

		public void setSlowCallDuration(Duration slowCallDuration) {
			this.slowCallDuration = slowCallDuration;
		}

		public Duration getOpenDuration() {
			return this.openDuration;
		}

		public void setOpenDuration(Duration openDuration) {
			this.openDuration = openDuration;
		}

		public int getHalfOpenCalls() {
			return this.halfOpenCalls;
		}

		public void setHalfOpenCalls(int halfOpenCalls) {
			this.halfOpenCalls = halfOpenCalls;
		}

		public @Nullable Duration getHalfOpenMaxWait() {
			return this.halfOpenMaxWait;
		}

		public void setHalfOpenMaxWait(@Nullable Duration halfOpenMaxWait) {
			this.halfOpenMaxWait = halfOpenMaxWait;
		}

		public List<String> getRecordOn() {
			return this.recordOn;
		}

		public void setRecordOn(List<String> recordOn) {
			this.recordOn = recordOn;
		}

		public List<String> getIgnoreOn() {
			return this.ignoreOn;
		}

		public void setIgnoreOn(List<String> ignoreOn) {
			this.ignoreOn = ignoreOn;
		}

	}

}
