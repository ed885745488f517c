package dev.retry.autoconfigure.actuate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Predicate;

import dev.retry.breaker.CircuitBreakerListener;
import dev.retry.breaker.State;
import dev.retry.event.CallTarget;
import dev.retry.event.Outcome;
import dev.retry.event.RetryListener;
import dev.retry.internal.Redaction;
import dev.retry.time.Ticker;
import org.jspecify.annotations.Nullable;

/**
 * The most recent retry and breaker events, for {@code /actuator/retryevents}: each retry
 * scheduled, each call that gave up (and why), each breaker transition. A bounded ring, written
 * without locks: the newest events overwrite the oldest, and a call whose first attempt succeeds
 * writes nothing.
 */
public final class RetryEvents implements RetryListener, CircuitBreakerListener {

	private final AtomicReferenceArray<RetryEvent> ring;

	private final AtomicLong written = new AtomicLong();

	private final Ticker ticker;

	/** @param capacity events kept, at least 1 */
	public RetryEvents(int capacity, Ticker ticker) {
		if (capacity < 1) {
			throw new IllegalArgumentException("retry.events.capacity must be at least 1, was " + capacity);
		}
		this.ring = new AtomicReferenceArray<>(capacity);
		this.ticker = ticker;
	}

	@Override
	public void onRetryScheduled(CallTarget target, int nextAttempt, int maxAttempts, Duration delay,
			Throwable failure) {
		record("retry_scheduled", target.name(), target.policy(), null, nextAttempt, maxAttempts, delay.toMillis(),
				describe(failure), null);
	}

	/** Calls that succeed at once are not worth a line (or an entry): not called for them. */
	@Override
	public boolean observesFirstAttemptSuccess() {
		return false;
	}

	@Override
	public void onCompleted(CallTarget target, Outcome outcome, int attempts, @Nullable Throwable failure) {
		if (outcome.isSuccess()) {
			return;
		}
		record(outcome.tag(), target.name(), target.policy(), null, attempts, null, null, describe(failure), null);
	}

	@Override
	public void onStateChange(String breaker, State from, State to, String reason) {
		record("breaker_" + from.tag() + "_to_" + to.tag(), null, null, breaker, null, null, null, null,
				Redaction.redact(reason));
	}

	private void record(String type, @Nullable String method, @Nullable String policy, @Nullable String breaker,
			@Nullable Integer attempt, @Nullable Integer maxAttempts, @Nullable Long delayMillis, @Nullable String error,
			@Nullable String reason) {
		long sequence = this.written.getAndIncrement();
		RetryEvent event = new RetryEvent(sequence, this.ticker.wallTime(), type, method, policy, breaker, attempt,
				maxAttempts, delayMillis, error, reason);
		// A writer slower than the one a lap ahead of it must not put its older event back in the slot.
		this.ring.accumulateAndGet((int) (sequence % this.ring.length()), event,
				(kept, offered) -> (kept == null || kept.sequence() < offered.sequence()) ? offered : kept);
	}

	/**
	 * The kept events that match, newest first.
	 * @param limit the most to return
	 */
	public List<RetryEvent> recent(Predicate<RetryEvent> filter, int limit) {
		List<RetryEvent> found = new ArrayList<>();
		long newest = this.written.get() - 1;
		long oldest = Math.max(0, newest - this.ring.length() + 1);
		for (long sequence = newest; sequence >= oldest && found.size() < limit; sequence--) {
			RetryEvent event = this.ring.get((int) (sequence % this.ring.length()));
			// A slot already overwritten by a newer event (or not yet written) is skipped.
			if (event != null && event.sequence() == sequence && filter.test(event)) {
				found.add(event);
			}
		}
		return found;
	}

	/** Events kept at most. */
	public int capacity() {
		return this.ring.length();
	}

	private static @Nullable String describe(@Nullable Throwable failure) {
		return (failure != null) ? Redaction.describeQualified(failure) : null;
	}

	/**
	 * One event.
	 * @param sequence its number, in the order events happened
	 * @param time when it happened
	 * @param type {@code retry_scheduled}; how a call gave up ({@code exhausted}, {@code not_retryable},
	 * {@code deadline_exceeded}, {@code budget_exhausted}, {@code rejected}); or a breaker transition such as
	 * {@code breaker_closed_to_open}
	 * @param method the method, for retry events
	 * @param policy its policy, for retry events
	 * @param breaker the breaker, for transitions
	 * @param attempt the attempt about to be made (retry scheduled) or attempts made (gave up)
	 * @param maxAttempts attempts allowed, for a retry scheduled
	 * @param delayMillis the wait before the retry
	 * @param error the failure, with secrets redacted
	 * @param reason why a breaker changed state
	 */
	public record RetryEvent(long sequence, Instant time, String type, @Nullable String method, @Nullable String policy,
			@Nullable String breaker, @Nullable Integer attempt, @Nullable Integer maxAttempts, @Nullable Long delayMillis,
			@Nullable String error, @Nullable String reason) {
	}

}
