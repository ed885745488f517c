package dev.retry.breaker;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;

import dev.retry.CircuitBreakerOpenException;
import dev.retry.RejectedResultException;
import dev.retry.classify.HttpStatusResolver;
import dev.retry.internal.Assert;
import dev.retry.internal.Durations;
import dev.retry.internal.Redaction;
import dev.retry.internal.StageFuture;
import dev.retry.time.Ticker;
import org.jspecify.annotations.Nullable;

/**
 * A circuit breaker: closed, open, half-open. One instance per downstream, shared by every method
 * that names it; thread-safe and lock-free. The state is an immutable phase object swapped by
 * compare-and-set on transitions only, so a call through a closed breaker takes no lock and
 * allocates nothing. A call's result is recorded against the phase it was admitted in, so a late
 * result from before a transition never counts as a trial call.
 *
 * <p>This class is the state machine and its admission API ({@link #tryAcquire}, {@link #onSuccess},
 * {@link #onFailure}, {@link #release}); the closed state's counting is {@link ClosedPhase}'s, and
 * what is announced to and adopted from a fleet is {@link FleetExchange}'s.
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

	private final FleetExchange fleet = new FleetExchange(this);

	/** The start of a call that was not timed ({@link #startTime}). */
	private static final long UNTIMED = Long.MIN_VALUE;

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
		if (this.phase instanceof ClosedPhase closed) {
			closed.resize(config);
		}
	}

	/**
	 * Shares this breaker's state through {@code link} from now on (a fleet of instances): its
	 * state changes are announced there and its half-open trials counted there.
	 */
	public void link(BreakerLink link) {
		this.fleet.link(Assert.notNull(link, "link"));
	}

	public BreakerLink getLink() {
		return this.fleet.link();
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
		return this.fleet.adopt(change, origin);
	}

	/**
	 * The link could not count the successes of half-open round {@code round} across the fleet:
	 * the breaker decides with its own, closing when every trial of the round succeeded here.
	 */
	public void settleAlone(long round) {
		if (this.phase instanceof HalfOpenPhase halfOpen && halfOpen.round == round
				&& halfOpen.succeeded.get() >= halfOpen.calls) {
			transition(halfOpen, closed(), halfOpen.calls + " trial call(s) succeeded");
		}
	}

	/** Who opened the breaker when another instance did, else {@code null} (opened here, or not open). */
	public @Nullable String getOpenedBy() {
		return (this.phase instanceof OpenPhase open) ? open.origin : null;
	}

	/**
	 * Runs one call through the breaker.
	 * @throws CircuitBreakerOpenException when the breaker does not let the call through
	 * @throws Throwable whatever the call threw, after recording it
	 */
	public <C, T> T execute(C context, Call<C, T> call, int attemptNumber) throws Throwable {
		Phase admitted = tryAcquire();
		if (admitted == null) {
			throw rejection();
		}
		long start = startTime();
		T result;
		try {
			result = call.run(context, attemptNumber);
		}
		catch (Throwable failure) {
			onFailure(admitted, failure, elapsed(start));
			throw failure;
		}
		onSuccess(admitted, elapsed(start));
		return result;
	}

	/**
	 * Passes one asynchronous call through the breaker: admits or rejects it now, and records its
	 * outcome when the stage completes. The future returned ends the trial however it ends: when the
	 * caller cancels it or completes it first (gives up, times out), the call counts neither way,
	 * its trial permit comes back, and the call's own future is cancelled. A call that throws, or
	 * returns {@code null} instead of a stage, fails the future returned.
	 * @return the call's outcome, or a future failed with {@link CircuitBreakerOpenException} when rejected
	 */
	public <C, T> CompletableFuture<T> executeAsync(C context, Call<C, ? extends CompletionStage<T>> call,
			int attemptNumber) {
		Phase admitted = tryAcquire();
		if (admitted == null) {
			return CompletableFuture.failedFuture(rejection());
		}
		long start = this.ticker.nanoTime();
		CompletionStage<T> stage;
		try {
			stage = call.run(context, attemptNumber);
			if (stage == null) {
				stage = CompletableFuture.failedFuture(
						new NullPointerException("the method returned null instead of a CompletionStage"));
			}
		}
		catch (Throwable failure) {
			stage = CompletableFuture.failedFuture(failure);
		}
		return recordAsync(admitted, start, StageFuture.of(stage));
	}

	/**
	 * Records the outcome of an asynchronous call admitted in {@code admitted} ({@link #tryAcquire})
	 * when its stage completes. Whichever comes first ends the trial: the stage completing, or the
	 * caller completing or cancelling the future returned (it gave up: the call counts neither way,
	 * its permit comes back, and the stage is cancelled when it is a {@link java.util.concurrent.Future}).
	 * @param start the ticker's time when the call started
	 * @return the call's outcome, as the future its caller holds
	 */
	public <T> CompletableFuture<T> recordAsync(Phase admitted, long start, CompletionStage<T> call) {
		return new Trial<>(this, admitted, start, call);
	}

	/**
	 * Gives back a call admitted in {@code admitted} that ended with no outcome (it was cancelled,
	 * or given up by its caller, before any result): a half-open breaker lets another trial through
	 * instead.
	 */
	public void release(Phase admitted) {
		if (admitted instanceof HalfOpenPhase halfOpen) {
			halfOpen.permits.incrementAndGet();
			this.fleet.releaseTrial(halfOpen);
		}
	}

	/**
	 * When a call starts, for {@link #elapsed}: read only when slow calls are measured. A call
	 * started while they were not is never measured, even if slow-call-duration is set before it
	 * ends.
	 */
	public long startTime() {
		return (this.tuning.slowNanos > 0) ? this.ticker.nanoTime() : UNTIMED;
	}

	/** How long a call started at {@code start} ({@link #startTime}) took, or 0 when it is not timed. */
	public long elapsed(long start) {
		return (this.tuning.slowNanos > 0 && start != UNTIMED) ? this.ticker.nanoTime() - start : 0L;
	}

	/**
	 * Asks to let one call through. Pair a non-null answer with exactly one {@link #onSuccess},
	 * {@link #onFailure} or {@link #release}.
	 * @return the phase the call is admitted in, or {@code null} when rejected
	 */
	public @Nullable Phase tryAcquire() {
		while (true) {
			Phase current = this.phase;
			if (current instanceof ClosedPhase) {
				return current;
			}
			if (current instanceof OpenPhase open) {
				if (open.rejectsAt(this.ticker.nanoTime())) {
					this.rejected.increment();
					return null;
				}
				Tuning tuning = this.tuning;
				HalfOpenPhase halfOpen = new HalfOpenPhase(tuning.config.getHalfOpenCalls(), this.ticker.nanoTime(),
						this.fleet.round());
				if (transition(open, halfOpen, "open for " + tuning.openDurationText + ", letting "
						+ tuning.config.getHalfOpenCalls() + " trial call(s) through")) {
					current = halfOpen;
				}
				else {
					continue;
				}
			}
			HalfOpenPhase halfOpen = (HalfOpenPhase) current;
			while (true) {
				int permits = halfOpen.permits.get();
				if (permits <= 0) {
					if (this.ticker.nanoTime() - halfOpen.lastAdmitted >= this.tuning.halfOpenMaxWaitNanos) {
						// A trial still running after half-open-max-wait counts as failed.
						open(halfOpen, "trial call(s) still running after half-open-max-wait of "
								+ this.tuning.halfOpenMaxWaitText);
						break;
					}
					this.rejected.increment();
					return null;
				}
				if (halfOpen.permits.compareAndSet(permits, permits - 1)) {
					if (halfOpen.isShared() && !this.fleet.acquireTrial(halfOpen)) {
						// The fleet's trials for this round are taken elsewhere.
						halfOpen.permits.incrementAndGet();
						this.rejected.increment();
						return null;
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
		return this.fleet.admissionMayWait(this.phase);
	}

	/** Records a successful call admitted in {@code admitted}. */
	public void onSuccess(Phase admitted, long durationNanos) {
		this.successes.increment();
		Tuning tuning = this.tuning;
		boolean slow = tuning.slowNanos > 0 && durationNanos >= tuning.slowNanos;
		if (admitted instanceof ClosedPhase closed) {
			String opening = closed.succeeded(slow, tuning);
			if (opening != null) {
				open(closed, opening);
			}
		}
		else if (admitted instanceof HalfOpenPhase halfOpen) {
			if (slow) {
				// The downstream answered, but too slowly to be trusted with the traffic again.
				open(halfOpen, "trial call took " + Durations.text(Duration.ofNanos(durationNanos))
						+ ", over slow-call-duration " + Durations.text(tuning.config.getSlowCallDuration()));
				return;
			}
			int here = halfOpen.succeeded.incrementAndGet();
			if (this.fleet.fleetDecides(halfOpen, here)) {
				return;
			}
			// Every trial of the round ran here (or nobody else counts them): this instance decides.
			if (here >= halfOpen.calls) {
				transition(halfOpen, closed(), halfOpen.calls + " trial call(s) succeeded");
			}
		}
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
		Tuning tuning = this.tuning;
		if (tuning.filter.isIgnored(failure)) {
			this.ignored.increment();
			// An ignored failure (or another breaker's rejection) is no evidence either way: a
			// half-open breaker lets another trial through instead.
			release(admitted);
			return;
		}
		this.failures.increment();
		if (admitted instanceof ClosedPhase closed) {
			String opening = closed.failed(failure, tuning);
			if (opening != null) {
				open(closed, opening);
			}
		}
		else if (admitted instanceof HalfOpenPhase halfOpen) {
			open(halfOpen, "trial call failed: " + Redaction.describe(failure));
		}
	}

	private void open(Phase from, String reason) {
		Tuning tuning = this.tuning;
		transition(from, OpenPhase.until(this.ticker.nanoTime() + tuning.openNanos),
				reason + "; half-open in " + tuning.openDurationText);
	}

	/** Opens the breaker until {@link #close()} or {@link #reset()}, whatever calls do. */
	public void forceOpen() {
		force(new OpenPhase(0, true, false, null), "forced open by hand", true);
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
		force(new OpenPhase(0, true, true, null), "forced open by hand, here only", false);
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
	boolean transition(Phase from, Phase to, String reason, boolean announce, boolean byHand) {
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
		if (announce) {
			this.fleet.announce(to, byHand, reason);
		}
		return true;
	}

	/** The phase calls are admitted in now. */
	Phase phase() {
		return this.phase;
	}

	/** Replaces the phase without a transition (an open state for another open state). */
	boolean replace(Phase from, Phase to) {
		return PHASE.compareAndSet(this, from, to);
	}

	/** A closed state with fresh counts, for the configuration of now. */
	ClosedPhase closed() {
		return new ClosedPhase(this.tuning.config);
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
		return this.phase instanceof OpenPhase open
				&& (open.forced || open.until - this.ticker.nanoTime() > waitNanos);
	}

	/** Time until an open breaker half-opens: zero when not open, negative when forced open. */
	public Duration untilHalfOpen() {
		if (this.phase instanceof OpenPhase open) {
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
		return this.phase instanceof OpenPhase open && open.forced;
	}

	/** Whether it was forced open on this instance only ({@link #forceOpenHere()}). */
	public boolean isForcedOpenHere() {
		return this.phase instanceof OpenPhase open && open.here;
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
		return (this.phase instanceof ClosedPhase closed) ? closed.consecutive : 0;
	}

	/** Failure rate in percent over the sliding window, or -1 when there is no rate rule or too few calls. */
	public float getFailureRate() {
		return (this.phase instanceof ClosedPhase closed) ? closed.failureRate(this.tuning.config.getMinimumCalls())
				: -1f;
	}

	@Override
	public String toString() {
		return "CircuitBreaker[" + getName() + " " + getState() + "]";
	}

	/**
	 * A call a breaker runs ({@link #execute}). Taking the caller's context as a parameter lets a
	 * caller pass a shared, non-capturing function, so that running a call allocates nothing.
	 * @param <C> the caller's context
	 * @param <T> the result type
	 */
	@FunctionalInterface
	public interface Call<C, T> {

		/**
		 * @param context what the caller passed to {@link #execute}
		 * @param attempt the attempt number the caller passed
		 */
		T run(C context, int attempt) throws Throwable;

	}

	/**
	 * A state of the breaker, as calls are admitted in it: what {@link #tryAcquire} answers and the
	 * outcome of the call is recorded against. Opaque to callers.
	 */
	public abstract static sealed class Phase permits ClosedPhase, OpenPhase, HalfOpenPhase {

		final State state;

		Phase(State state) {
			this.state = state;
		}

	}

}
