package dev.retry.execution;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.retry.event.CallTarget;
import dev.retry.event.Outcome;
import dev.retry.event.RetryListener;

/**
 * Writes down what listeners are told, as {@code "retry 2/3 in PT1S after ConnectException"} and
 * {@code "exhausted after 3"}, and which attempt the current {@link RetryContext} showed at each retry.
 */
final class RecordingListener implements RetryListener {

	final List<String> events = new CopyOnWriteArrayList<>();

	/** {@link RetryContext#getAttempt()} as seen by each retry event, 0 when no context was current. */
	final List<Integer> contextAttempts = new CopyOnWriteArrayList<>();

	@Override
	public void onRetryScheduled(CallTarget target, int nextAttempt, int maxAttempts, Duration delay,
			Throwable failure) {
		this.events.add("retry " + nextAttempt + "/" + maxAttempts + " in " + delay + " after "
				+ failure.getClass().getSimpleName());
		this.contextAttempts.add(RetryContext.find().map(RetryContext::getAttempt).orElse(0));
	}

	@Override
	public void onCompleted(CallTarget target, Outcome outcome, int attempts, Throwable failure) {
		this.events.add(outcome.tag() + " after " + attempts);
	}

	@Override
	public void onCancelled(CallTarget target, int attempts) {
		this.events.add("cancelled after " + attempts);
	}

}
