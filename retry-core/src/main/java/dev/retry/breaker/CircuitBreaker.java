package dev.retry.breaker;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import dev.retry.CircuitBreakerOpenException;
import dev.retry.RejectedResultException;
import dev.retry.classify.HttpStatusResolver;
import dev.retry.execution.Attempt;
import dev.retry.execution.AttemptStage;
import dev.retry.internal.Assert;
import dev.retry.internal.Durations;
import dev.retry.internal.Redaction;
import dev.retry.time.Ticker;
import org.jspecify.annotations.Nullable;

/**
 * A circuit breaker: closed, open, half-open. One instance per downstream, shared by every method
 * that names it; thread-safe and lock-free. The state is an immutable phase object swapped by
 * compare-and-set on transitions only, so a call through a closed breaker takes no lock and
 * allocates nothing. A call's result is recorded against the phase it was admitted in, so a late
 * result from before a transition never counts as a trial call.
 */
public final class CircuitBreaker {

	private final String name;

	private final Ticker ticker;

	private final CircuitBreakerListener[] listeners;

	private final HttpStatusResolver statusResolver;

	/** The configuration and what is derived from it, replaced whole by {@link #reconfigure}. */
	private volatile Tuning tuning;

	/** The phase calls are admitted in; a field of its own (not an AtomicReference) saves a load per call. */
	private volatile Phase phase;

	private static final VarHandle PHASE;

	static {
		try {
			PHASE = MethodHandles.lookup().findVarHandle(CircuitBreaker.class, "phase", Phase.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	/** Where state changes are announced and trials counted beyond this process; local by default. */
	private volatile BreakerLink link = BreakerLink.LOCAL;

	/** The longest open time {@link #adopt} counts: about 73 years. */
	private static final long MAX_ADOPTED_OPEN_NANOS = Long.MAX_VALUE / 4;

	/** The start of a call that was not timed ({@link #startTime}). */
	private static final long UNTIMED = Long.MIN_VALUE;

	/** The breaker as a stage with nothing but the call behind it: {@link #execute}. */
	private final BreakerStage alone = new BreakerStage(this, null);

	private final LongAdder successes = new LongAdder();

	private final LongAdder failures = new LongAdder();

	private final LongAdder ignored = new LongAdder();

	private final LongAdder rejected = new LongAdder();

	public CircuitBreaker(CircuitBreakerConfig config, Ticker ticker, HttpStatusResolver statusResolver,
			List<CircuitBreakerListener> listeners) {
		Assert.notNull(config, "config");
		this.name = config.getName();
		this.ticker = Assert.notNull(ticker, "ticker");
		this.listeners = listeners.toArray(new CircuitBreakerListener[0]);
		this.statusResolver = statusResolver;
		this.tuning = new Tuning(config, statusResolver);
		this.phase = closed();
	}

	/** A breaker with real time, no HTTP client knowledge and no listeners. */
	public static CircuitBreaker of(CircuitBreakerConfig config) {
		return new CircuitBreaker(config, Ticker.SYSTEM, HttpStatusResolver.NONE, List.of());
	}

	public String getName() {
		return this.name;
	}

	/** The time source that times calls and the open state. */
	public Ticker getTicker() {
		return this.ticker;
	}

	public CircuitBreakerConfig getConfig() {
		return this.tuning.config;
	}

	/**
	 * Applies a new configuration from the next call on, keeping the state, its counts and the
	 * calls in flight: an open breaker stays open until the moment it was given, a half-open one
	 * keeps its trial calls; a closed one keeps its phase (so that calls in flight still count
	 * against it), its failures in a row and, in a sliding window of a new size, its most recent
	 * outcomes. No state change is announced.
	 * @param config the new configuration, of a breaker of the same name
	 */
	public void reconfigure(CircuitBreakerConfig config) {
		Assert.isTrue(config.getName().equals(this.name), "config of breaker '%s' given to breaker '%s'",
				config.getName(), this.name);
		this.tuning = new Tuning(config, this.statusResolver);
		if (this.phase instanceof Closed closed) {
			closed.resize(config);
		}
	}

	/**
	 * Shares this breaker's state through {@code link} from now on (a fleet of instances): its
	 * state changes are announced there and its half-open trials counted there.
	 */
	public void link(BreakerLink link) {
		this.link = Assert.notNull(link, "link");
	}

	public BreakerLink getLink() {
		return this.link;
	}

	/**
	 * Takes a state change made elsewhere (another instance of a fleet), without announcing it
	 * again. The link decides which changes are news and hands them over in the fleet's order; the
	 * breaker takes each: an open state until {@code openFor} from now (one whose time is up
	 * half-opens at the next call, in the fleet's round), a closed state closes an open or half-open
	 * breaker. A breaker forced open on this instance only ({@link #forceOpenHere()}) takes only
	 * changes an operator made. An open breaker given another open state stays open without a
	 * transition. Listeners hear the change with the reason {@code "<opened|closed> by <origin>:
	 * <reason>"}.
	 * @param origin who made the change, such as an instance's name
	 * @return whether the state changed
	 */
	public boolean adopt(BreakerLink.Change change, String origin) {
		Assert.isTrue(change.breaker().equals(this.name), "change of breaker '%s' given to breaker '%s'",
				change.breaker(), this.name);
		while (true) {
			Phase current = this.phase;
			if (current instanceof Open open && open.here && !change.byHand()) {
				return false;
			}
			Phase next;
			String reason;
			if (change.state() == State.OPEN) {
				next = change.forced() ? new Open(0, true, false, origin)
						: new Open(this.ticker.nanoTime() + openForNanos(change.openFor()), false, false, origin);
				reason = "opened by " + origin + ": " + change.reason();
			}
			else if (change.state() == State.CLOSED) {
				if (current instanceof Closed) {
					return false;
				}
				next = closed();
				reason = "closed by " + origin + ": " + change.reason();
			}
			else {
				return false;
			}
			if (current instanceof Open && next instanceof Open) {
				// Still open, only until another moment (a trial failed elsewhere): no state change to tell of.
				if (PHASE.compareAndSet(this, current, next)) {
					return true;
				}
				continue;
			}
			if (transition(current, next, reason, false, false)) {
				return true;
			}
		}
	}

	/**
	 * The link could not count the successes of half-open round {@code round} across the fleet:
	 * the breaker decides with its own, closing when every trial of the round succeeded here.
	 */
	public void settleAlone(long round) {
		if (this.phase instanceof HalfOpen halfOpen && halfOpen.round == round
				&& halfOpen.succeeded.get() >= halfOpen.calls) {
			transition(halfOpen, closed(), halfOpen.calls + " trial call(s) succeeded");
		}
	}

	/**
	 * An open time taken from elsewhere, in nanoseconds: none when negative, and at most a quarter
	 * of what a monotonic clock's differences hold, however long the time given (never overflowing).
	 */
	private static long openForNanos(Duration openFor) {
		if (openFor.isNegative()) {
			return 0;
		}
		return (openFor.getSeconds() >= MAX_ADOPTED_OPEN_NANOS / 1_000_000_000L) ? MAX_ADOPTED_OPEN_NANOS
				: openFor.toNanos();
	}

	/** Who opened the breaker when another instance did, else {@code null} (opened here, or not open). */
	public @Nullable String getOpenedBy() {
		return (this.phase instanceof Open open) ? open.origin : null;
	}

	/**
	 * Runs one call through the breaker.
	 * @throws CircuitBreakerOpenException when the breaker does not let the call through
	 * @throws Throwable whatever the call threw, after recording it
	 */
	public <C, T> T execute(C context, Attempt<C, T> attempt, int attemptNumber) throws Throwable {
		return this.alone.run(context, attempt, attemptNumber);
	}

	/**
	 * Passes one asynchronous call through the breaker: admits or rejects it now, and records its
	 * outcome when the stage completes. The future returned ends the trial however it ends: when the
	 * caller cancels it or completes it first (gives up, times out), the call counts neither way,
	 * its trial permit comes back, and the attempt's own future is cancelled.
	 * @return the call's outcome, or a future failed with {@link CircuitBreakerOpenException} when rejected
	 */
	public <C, T> CompletableFuture<T> executeAsync(C context, Attempt<C, ? extends CompletionStage<T>> attempt,
			int attemptNumber) {
		return this.alone.start(context, attempt, attemptNumber);
	}

	/** This breaker as a stage of an attempt chain, in front of {@code next} (or of the call itself). */
	public BreakerStage stage(@Nullable AttemptStage next) {
		return new BreakerStage(this, next);
	}

	/**
	 * Gives back a call admitted in {@code admitted} that ended with no outcome (it was cancelled,
	 * or given up by its caller, before any result): a half-open breaker lets another trial through
	 * instead.
	 */
	public void release(Phase admitted) {
		if (admitted instanceof HalfOpen halfOpen) {
			halfOpen.permits.incrementAndGet();
			if (halfOpen.fleetPermits.getAndUpdate(CircuitBreaker::lessOne) > 0) {
				try {
					this.link.releaseTrial(this, halfOpen.round);
				}
				catch (RuntimeException ex) {
					// A link never fails a call.
				}
			}
		}
	}

	private static int lessOne(int permits) {
		return (permits > 0) ? permits - 1 : 0;
	}

	/**
	 * When a call starts, for {@link #elapsed}: read only when slow calls are measured. A call
	 * started while they were not is never measured, even if slow-call-duration is set before it
	 * ends.
	 */
	long startTime() {
		return (this.tuning.slowNanos > 0) ? this.ticker.nanoTime() : UNTIMED;
	}

	long elapsed(long start) {
		return (this.tuning.slowNanos > 0 && start != UNTIMED) ? this.ticker.nanoTime() - start : 0L;
	}

	/**
	 * Asks to let one call through. Pair a non-null answer with exactly one {@link #onSuccess} or
	 * {@link #onFailure}.
	 * @return the phase the call is admitted in, or {@code null} when rejected
	 */
	public @Nullable Phase tryAcquire() {
		while (true) {
			Phase current = this.phase;
			if (current instanceof Closed) {
				return current;
			}
			if (current instanceof Open open) {
				if (open.forced || this.ticker.nanoTime() - open.until < 0) {
					this.rejected.increment();
					return null;
				}
				HalfOpen halfOpen = new HalfOpen(this.tuning.config.getHalfOpenCalls(), this.ticker.nanoTime(),
						round());
				if (transition(open, halfOpen, "open for " + this.tuning.openDurationText + ", letting "
						+ this.tuning.config.getHalfOpenCalls() + " trial call(s) through")) {
					current = halfOpen;
				}
				else {
					continue;
				}
			}
			HalfOpen halfOpen = (HalfOpen) current;
			while (true) {
				int permits = halfOpen.permits.get();
				if (permits <= 0) {
					if (this.ticker.nanoTime() - halfOpen.lastAdmitted >= this.tuning.halfOpenMaxWaitNanos) {
						// A trial still running after half-open-max-wait counts as failed.
						open(halfOpen, "trial call(s) still running after half-open-max-wait of " + this.tuning.halfOpenMaxWaitText);
						break;
					}
					this.rejected.increment();
					return null;
				}
				if (halfOpen.permits.compareAndSet(permits, permits - 1)) {
					if (halfOpen.round != 0) {
						Boolean fleet = acquireTrial(halfOpen);
						if (Boolean.FALSE.equals(fleet)) {
							// The fleet's trials for this round are taken elsewhere.
							halfOpen.permits.incrementAndGet();
							this.rejected.increment();
							return null;
						}
						if (Boolean.TRUE.equals(fleet)) {
							halfOpen.fleetPermits.incrementAndGet();
						}
					}
					halfOpen.lastAdmitted = this.ticker.nanoTime();
					return halfOpen;
				}
			}
		}
	}

	/**
	 * Whether admitting a call now may ask the link for a trial permit of a shared half-open round,
	 * which waits up to the link's own timeout: true only while such a round is on or about to
	 * start. A caller whose thread must not block (a reactive subscription on an event loop) then
	 * admits the call elsewhere; otherwise {@link #tryAcquire} answers without waiting.
	 */
	public boolean admissionMayWait() {
		if (!this.link.isShared()) {
			return false;
		}
		Phase current = this.phase;
		if (current instanceof HalfOpen halfOpen) {
			return halfOpen.round != 0;
		}
		return current instanceof Open open && !open.forced && this.ticker.nanoTime() - open.until >= 0;
	}

	/** The fleet's round for a breaker half-opening now; 0 for a round of its own. */
	private long round() {
		BreakerLink link = this.link;
		if (!link.isShared()) {
			return 0;
		}
		try {
			return link.round(this);
		}
		catch (RuntimeException ex) {
			return 0;
		}
	}

	private @Nullable Boolean acquireTrial(HalfOpen halfOpen) {
		try {
			return this.link.acquireTrial(this, halfOpen.round, halfOpen.calls);
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

	/** Records a successful call admitted in {@code admitted}. */
	public void onSuccess(Phase admitted, long durationNanos) {
		this.successes.increment();
		boolean slow = this.tuning.slowNanos > 0 && durationNanos >= this.tuning.slowNanos;
		if (slow && admitted instanceof HalfOpen halfOpen) {
			// The downstream answered, but too slowly to be trusted with the traffic again.
			open(halfOpen, "trial call took " + Durations.text(Duration.ofNanos(durationNanos))
					+ ", over slow-call-duration " + Durations.text(this.tuning.config.getSlowCallDuration()));
			return;
		}
		succeeded(admitted, slow);
	}

	/**
	 * Records a failed call admitted in {@code admitted}; ignored failures do not count, and a
	 * result the method rejected ({@code retryOnResult}) is the downstream's answer: a success.
	 */
	public void onFailure(Phase admitted, Throwable failure, long durationNanos) {
		if (failure instanceof RejectedResultException) {
			onSuccess(admitted, durationNanos);
			return;
		}
		if (this.tuning.filter.isIgnored(failure)) {
			this.ignored.increment();
			// An ignored failure (or another breaker's rejection) is no evidence either way: a
			// half-open breaker lets another trial through instead.
			release(admitted);
			return;
		}
		this.failures.increment();
		if (admitted instanceof Closed closed) {
			int consecutive = closed.failedInARow();
			int threshold = this.tuning.config.getFailureThreshold();
			if (threshold > 0 && consecutive >= threshold) {
				open(closed, consecutive + " consecutive failures, last " + describe(failure));
				return;
			}
			SlidingWindow window = closed.window;
			if (window != null) {
				window.record(true);
				checkRate(closed, window, failure);
			}
		}
		else if (admitted instanceof HalfOpen halfOpen) {
			open(halfOpen, "trial call failed: " + describe(failure));
		}
	}

	private void succeeded(Phase admitted, boolean slow) {
		if (admitted instanceof Closed closed) {
			if (closed.consecutive != 0) {
				closed.consecutive = 0;
			}
			SlidingWindow window = closed.window;
			if (window != null) {
				window.record(slow);
				if (slow) {
					checkRate(closed, window, null);
				}
			}
		}
		else if (admitted instanceof HalfOpen halfOpen) {
			// The trials it was opened with decide, even if half-open-calls changed since.
			int calls = halfOpen.calls;
			int here = halfOpen.succeeded.incrementAndGet();
			int fleetPermits = halfOpen.fleetPermits.get();
			if (fleetPermits > 0 && !(fleetPermits >= calls && here >= calls) && fleetCounts(halfOpen)) {
				// Trials ran on other instances too: the fleet closes the breaker once all succeeded.
				return;
			}
			// Every trial of the round ran here (or nobody else counts them): this instance decides,
			// and a fleet hears of it as of any transition.
			if (here >= calls) {
				transition(halfOpen, closed(), calls + " trial call(s) succeeded");
			}
		}
	}

	private boolean fleetCounts(HalfOpen halfOpen) {
		try {
			return this.link.trialSucceeded(this, halfOpen.round, halfOpen.calls);
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	private void checkRate(Closed closed, SlidingWindow window, @Nullable Throwable failure) {
		float rate = window.failureRate(this.tuning.config.getMinimumCalls());
		if (rate >= this.tuning.config.getFailureRateThreshold()) {
			open(closed, String.format(java.util.Locale.ROOT, "failure rate %.1f%% over the last %d calls >= %d%%",
					rate, window.calls(), this.tuning.config.getFailureRateThreshold())
					+ ((failure != null) ? ", last " + describe(failure) : " (slow calls)"));
		}
	}

	private void open(Phase from, String reason) {
		long openNanos = this.tuning.openNanos;
		transition(from, new Open(this.ticker.nanoTime() + openNanos, false, false, null),
				reason + "; half-open in " + this.tuning.openDurationText);
	}

	/** Opens the breaker until {@link #close()} or {@link #reset()}, whatever calls do. */
	public void forceOpen() {
		force(new Open(0, true, false, null), "forced open by hand", true);
	}

	/** Closes the breaker now, with fresh failure counts. */
	public void close() {
		force(closed(), "closed by hand", true);
	}

	/** Closes the breaker and sets every count, the lifetime counts included, back to zero. */
	public void reset() {
		resetCounts();
		force(closed(), "reset by hand", true);
	}

	/**
	 * {@link #forceOpen()} on this instance only: not announced through a shared link, and held
	 * against what the link brings (only an operator's change, here or for the whole fleet, ends it).
	 */
	public void forceOpenHere() {
		force(new Open(0, true, true, null), "forced open by hand, here only", false);
	}

	/**
	 * {@link #close()} on this instance only: not announced through a shared link. The fleet's
	 * state it leaves is not taken again; the fleet's next change is.
	 */
	public void closeHere() {
		force(closed(), "closed by hand, here only", false);
	}

	/** {@link #reset()} on this instance only: not announced through a shared link. */
	public void resetHere() {
		resetCounts();
		force(closed(), "reset by hand, here only", false);
	}

	private void resetCounts() {
		this.successes.reset();
		this.failures.reset();
		this.ignored.reset();
		this.rejected.reset();
	}

	/** @param fleet whether the change is the whole fleet's (announced, as an operator's) or this instance's */
	private void force(Phase next, String reason, boolean fleet) {
		while (true) {
			Phase current = this.phase;
			if (transition(current, next, reason, fleet, fleet)) {
				return;
			}
		}
	}

	private boolean transition(Phase from, Phase to, String reason) {
		return transition(from, to, reason, true, false);
	}

	/**
	 * The one place the state changes: listeners hear it, and the link is told of a change made
	 * here ({@code announce}) to open or closed.
	 * @param byHand whether an operator made it
	 */
	private boolean transition(Phase from, Phase to, String reason, boolean announce, boolean byHand) {
		if (!PHASE.compareAndSet(this, from, to)) {
			return false;
		}
		for (CircuitBreakerListener listener : this.listeners) {
			try {
				listener.onStateChange(getName(), from.state, to.state, reason);
			}
			catch (RuntimeException ex) {
				// A listener never fails a call.
			}
		}
		BreakerLink link = this.link;
		if (announce && link.isShared() && to.state != State.HALF_OPEN) {
			Open open = (to instanceof Open o) ? o : null;
			Duration openFor = (open != null && !open.forced)
					? Duration.ofNanos(Math.max(0, open.until - this.ticker.nanoTime())) : Duration.ZERO;
			try {
				link.announce(this, new BreakerLink.Change(this.name, to.state, openFor, open != null && open.forced,
						byHand, reason));
			}
			catch (RuntimeException ex) {
				// Nor does a link.
			}
		}
		return true;
	}

	private Closed closed() {
		CircuitBreakerConfig config = this.tuning.config;
		return new Closed((config.getFailureRateThreshold() > 0) ? new SlidingWindow(config.getSlidingWindowSize())
				: null);
	}

	/**
	 * Rejects a call that did not even ask to pass (a retry that would not be let through): counts
	 * it as rejected and returns the exception it gets, whose cause is the failure before.
	 */
	public CircuitBreakerOpenException reject(@Nullable Throwable lastFailure) {
		this.rejected.increment();
		return new CircuitBreakerOpenException(getName(), untilHalfOpen(), lastFailure);
	}

	/** The exception a rejected call gets, with the time left until the breaker half-opens. */
	public CircuitBreakerOpenException rejection() {
		return new CircuitBreakerOpenException(getName(), untilHalfOpen());
	}

	/** Whether the breaker is open and will still reject a call made after this wait. */
	public boolean staysOpenFor(long waitNanos) {
		return this.phase instanceof Open open
				&& (open.forced || open.until - this.ticker.nanoTime() > waitNanos);
	}

	/** Time until an open breaker half-opens: zero when not open, negative when forced open. */
	public Duration untilHalfOpen() {
		if (this.phase instanceof Open open) {
			return open.forced ? Duration.ofNanos(-1)
					: Duration.ofNanos(Math.max(0, open.until - this.ticker.nanoTime()));
		}
		return Duration.ZERO;
	}

	public State getState() {
		return this.phase.state;
	}

	/** Whether it was forced open by hand and stays open until closed. */
	public boolean isForcedOpen() {
		return this.phase instanceof Open open && open.forced;
	}

	/** Whether it was forced open on this instance only ({@link #forceOpenHere()}). */
	public boolean isForcedOpenHere() {
		return this.phase instanceof Open open && open.here;
	}

	/** Successful calls since start or reset. */
	public long getSuccessCount() {
		return this.successes.sum();
	}

	/** Failed calls that counted, since start or reset. */
	public long getFailureCount() {
		return this.failures.sum();
	}

	/** Failed calls that did not count (ignore-on, 4xx), since start or reset. */
	public long getIgnoredCount() {
		return this.ignored.sum();
	}

	/** Calls rejected without being made, since start or reset. */
	public long getRejectedCount() {
		return this.rejected.sum();
	}

	/** Consecutive failures counted now (closed state), else 0. */
	public int getConsecutiveFailures() {
		return (this.phase instanceof Closed closed) ? closed.consecutive : 0;
	}

	/** Failure rate in percent over the sliding window, or -1 when there is no rate rule or too few calls. */
	public float getFailureRate() {
		SlidingWindow window = (this.phase instanceof Closed closed) ? closed.window : null;
		if (window != null) {
			return window.failureRate(this.tuning.config.getMinimumCalls());
		}
		return -1f;
	}

	private static String describe(Throwable failure) {
		return Redaction.describe(failure);
	}

	@Override
	public String toString() {
		return "CircuitBreaker[" + getName() + " " + getState() + "]";
	}

	/** A configuration and the values calls read from it, computed once. */
	private static final class Tuning {

		final CircuitBreakerConfig config;

		final FailureFilter filter;

		final long openNanos;

		final String openDurationText;

		final long slowNanos;

		final long halfOpenMaxWaitNanos;

		final String halfOpenMaxWaitText;

		Tuning(CircuitBreakerConfig config, HttpStatusResolver statusResolver) {
			this.config = config;
			this.filter = new FailureFilter(config, statusResolver);
			this.openNanos = config.getOpenDuration().toNanos();
			this.openDurationText = Durations.text(config.getOpenDuration());
			this.slowNanos = config.getSlowCallDuration().toNanos();
			this.halfOpenMaxWaitNanos = config.getHalfOpenMaxWait().toNanos();
			this.halfOpenMaxWaitText = Durations.text(config.getHalfOpenMaxWait());
		}

	}

	/** A state of the breaker, as calls are admitted in it. Opaque to callers. */
	public abstract static sealed class Phase permits Closed, Open, HalfOpen {

		final State state;

		Phase(State state) {
			this.state = state;
		}

	}

	static final class Closed extends Phase {

		private static final VarHandle CONSECUTIVE;

		static {
			try {
				CONSECUTIVE = MethodHandles.lookup().findVarHandle(Closed.class, "consecutive", int.class);
			}
			catch (ReflectiveOperationException ex) {
				throw new ExceptionInInitializerError(ex);
			}
		}

		/** Failures since the last success; a plain volatile field, read by every successful call. */
		volatile int consecutive;

		/**
		 * Outcomes for the rate rule, or {@code null} without one; replaced (not the phase) when the
		 * breaker is re-tuned, so that calls in flight still count.
		 */
		volatile @Nullable SlidingWindow window;

		Closed(@Nullable SlidingWindow window) {
			super(State.CLOSED);
			this.window = window;
		}

		/** Counts one more failure in a row, and answers how many there are now. */
		int failedInARow() {
			return (int) CONSECUTIVE.getAndAdd(this, 1) + 1;
		}

		/** The window a new configuration asks for, keeping the most recent outcomes that fit. */
		synchronized void resize(CircuitBreakerConfig config) {
			SlidingWindow current = this.window;
			if (config.getFailureRateThreshold() <= 0) {
				this.window = null;
			}
			else if (current == null) {
				this.window = new SlidingWindow(config.getSlidingWindowSize());
			}
			else if (current.size() != config.getSlidingWindowSize()) {
				this.window = current.resized(config.getSlidingWindowSize());
			}
		}

	}

	static final class Open extends Phase {

		final long until;

		final boolean forced;

		/** Forced open on this instance only: held against the fleet's changes but an operator's. */
		final boolean here;

		/** Who opened it when it was adopted from elsewhere, else {@code null}. */
		final @Nullable String origin;

		Open(long until, boolean forced, boolean here, @Nullable String origin) {
			super(State.OPEN);
			this.until = until;
			this.forced = forced;
			this.here = here;
			this.origin = origin;
		}

	}

	static final class HalfOpen extends Phase {

		final AtomicInteger permits;

		final AtomicInteger succeeded = new AtomicInteger();

		/** When the latest trial was let through: half-open-max-wait counts from there. */
		volatile long lastAdmitted;

		/** Trial calls that must succeed to close. */
		final int calls;

		/** Which half-open round this is, the same on every instance sharing it; 0 for this instance's own. */
		final long round;

		/** Trials admitted here that hold one of the fleet's permits for the round, and have not given it back. */
		final AtomicInteger fleetPermits = new AtomicInteger();

		HalfOpen(int permits, long since, long round) {
			super(State.HALF_OPEN);
			this.calls = permits;
			this.permits = new AtomicInteger(permits);
			this.lastAdmitted = since;
			this.round = round;
		}

	}

}
