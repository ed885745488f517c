package dev.retry.execution;

import java.time.Duration;
import java.util.function.Supplier;

import dev.retry.event.CallObserver;
import dev.retry.event.CallTarget;
import dev.retry.event.Outcome;
import dev.retry.internal.LoggedOnce;
import org.jspecify.annotations.Nullable;

/**
 * An observer whose failures never reach the call: whatever it throws (a tracing handler, say) is
 * logged once and the call goes on, unobserved from that point where need be.
 */
final class GuardedObserver implements CallObserver {

	private static final Scope NO_SCOPE = () -> {
	};

	private final CallObserver observer;

	private final LoggedOnce failure;

	private GuardedObserver(CallObserver observer, LoggedOnce failure) {
		this.observer = observer;
		this.failure = failure;
	}

	static @Nullable CallObserver of(@Nullable CallObserver observer) {
		return (observer == null || observer instanceof GuardedObserver) ? observer
				: new GuardedObserver(observer, new LoggedOnce("A CallObserver threw; the call goes on"));
	}

	/** The observer of one method, guarded alike (an observer that cannot make one serves as it is). */
	@Override
	public CallObserver forTarget(CallTarget target) {
		return new GuardedObserver(guarded(() -> this.observer.forTarget(target), this.observer), this.failure);
	}

	@Override
	public @Nullable Object contextKey() {
		return guarded(this.observer::contextKey, null);
	}

	@Override
	public @Nullable Call start(CallTarget target, @Nullable Object parent) {
		return guardedCall(guarded(() -> this.observer.start(target, parent), null));
	}

	@Override
	public @Nullable Call startAsync(CallTarget target, @Nullable Object parent) {
		return guardedCall(guarded(() -> this.observer.startAsync(target, parent), null));
	}

	@Override
	public boolean followsEveryCall() {
		return guarded(this.observer::followsEveryCall, true);
	}

	@Override
	public @Nullable Call retrying(CallTarget target) {
		return guardedCall(guarded(() -> this.observer.retrying(target), null));
	}

	/** A call the observer follows, guarded; {@code null} for a call it leaves (or failed to start). */
	private @Nullable Call guardedCall(@Nullable Call call) {
		return (call != null) ? new GuardedCall(call) : null;
	}

	/** Asks the observer; when it throws, that is logged once and {@code otherwise} answers. */
	private <T extends @Nullable Object> T guarded(Supplier<T> question, T otherwise) {
		try {
			return question.get();
		}
		catch (Throwable ex) {
			this.failure.failed(this.observer, ex);
			return otherwise;
		}
	}

	/** Runs what the observer was told to do; what it throws is logged once. */
	private void quietly(Runnable action) {
		guarded(() -> {
			action.run();
			return null;
		}, null);
	}

	/** Opens a scope; one that cannot be opened is none, one that cannot be closed is logged. */
	private Scope open(@Nullable Supplier<Scope> opener) {
		Scope scope = (opener != null) ? guarded(opener, NO_SCOPE) : NO_SCOPE;
		return (scope == NO_SCOPE) ? NO_SCOPE : () -> quietly(scope::close);
	}

	private final class GuardedCall implements Call {

		private final Call call;

		GuardedCall(Call call) {
			this.call = call;
		}

		@Override
		public Scope open() {
			return GuardedObserver.this.open(this.call::open);
		}

		@Override
		public ObservedAttempt attempt(int number) {
			return new GuardedAttempt(guarded(() -> this.call.attempt(number), null));
		}

		@Override
		public void waiting(int nextAttempt, Duration delay, Throwable failure, String reason) {
			quietly(() -> this.call.waiting(nextAttempt, delay, failure, reason));
		}

		@Override
		public void end(Outcome outcome, int attempts, @Nullable Throwable failure) {
			quietly(() -> this.call.end(outcome, attempts, failure));
		}

		@Override
		public void cancelled(int attempts) {
			quietly(() -> this.call.cancelled(attempts));
		}

	}

	private final class GuardedAttempt implements ObservedAttempt {

		private final @Nullable ObservedAttempt attempt;

		GuardedAttempt(@Nullable ObservedAttempt attempt) {
			this.attempt = attempt;
		}

		@Override
		public Scope open() {
			ObservedAttempt attempt = this.attempt;
			return GuardedObserver.this.open((attempt != null) ? attempt::open : null);
		}

		@Override
		public void end(@Nullable Throwable failure) {
			ObservedAttempt attempt = this.attempt;
			if (attempt != null) {
				quietly(() -> attempt.end(failure));
			}
		}

		@Override
		public @Nullable Object contextValue() {
			ObservedAttempt attempt = this.attempt;
			return (attempt != null) ? guarded(attempt::contextValue, null) : null;
		}

	}

}
