package dev.retry.autoconfigure.actuate;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.retry.event.CallTarget;
import dev.retry.event.Outcome;
import dev.retry.event.RetryListener;
import dev.retry.internal.Redaction;
import dev.retry.execution.RetryContext;
import dev.retry.time.Ticker;
import org.jspecify.annotations.Nullable;

/**
 * Keeps the calls waiting for a retry right now, for the {@code retries} endpoint. Touched only when
 * a call fails: a call whose first attempt succeeds costs nothing here. Calls are told apart by
 * their {@link RetryContext} (current while listeners run), so asynchronous calls, which wait on no
 * thread, are seen too.
 */
public final class RetryActivity implements RetryListener {

	private final Map<Object, Waiting> waiting = new ConcurrentHashMap<>();

	private final Ticker ticker;

	public RetryActivity(Ticker ticker) {
		this.ticker = ticker;
	}

	@Override
	public void onRetryScheduled(CallTarget target, int nextAttempt, int maxAttempts, Duration delay,
			Throwable failure) {
		this.waiting.put(call(), new Waiting(target, nextAttempt, maxAttempts,
				this.ticker.nanoTime() + delay.toNanos(),
				Redaction.describeQualified(failure)));
	}

	/** Calls that succeed at once are not worth a line (or an entry): not called for them. */
	@Override
	public boolean observesFirstAttemptSuccess() {
		return false;
	}

	@Override
	public void onCompleted(CallTarget target, Outcome outcome, int attempts, @Nullable Throwable failure) {
		this.waiting.remove(call());
	}

	/** A cancelled call waits for nothing any more. */
	@Override
	public void onCancelled(CallTarget target, int attempts) {
		this.waiting.remove(call());
	}

	private static Object call() {
		return RetryContext.find().<Object>map((context) -> context).orElseGet(Thread::currentThread);
	}

	/** Calls waiting for their next attempt, the soonest first. */
	public List<WaitingCall> waiting() {
		long now = this.ticker.nanoTime();
		// A call past its due time is making its attempt, or was cancelled while waiting.
		this.waiting.values().removeIf((call) -> call.dueNanos - now <= 0);
		return this.waiting.values()
			.stream()
			.filter((call) -> call.dueNanos - now > 0)
			.sorted(Comparator.comparingLong(Waiting::dueNanos))
			.map((call) -> new WaitingCall(call.target.name(), call.target.policy(), call.nextAttempt,
					call.maxAttempts, Duration.ofNanos(call.dueNanos - now).toMillis(), call.lastError))
			.toList();
	}

	private record Waiting(CallTarget target, int nextAttempt, int maxAttempts, long dueNanos, String lastError) {
	}

	/**
	 * One call waiting for a retry.
	 * @param method the method, as {@code SimpleClassName.method}
	 * @param policy its policy
	 * @param attempt the attempt it waits to make (2 for the first retry)
	 * @param maxAttempts attempts allowed in all
	 * @param nextRetryInMillis time left before that attempt
	 * @param lastError the failure of the previous attempt, with URL user-info and secret query values redacted
	 */
	public record WaitingCall(String method, String policy, int attempt, int maxAttempts, long nextRetryInMillis,
			String lastError) {
	}

}
