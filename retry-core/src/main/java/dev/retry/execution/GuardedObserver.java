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

	private final LoggedOnce failure = new LoggedOnce("A CallObserver threw; the call goes on");

	private GuardedObserver(CallObserver observer) {
		this.observer = observer;
	}

	static @Nullable CallObserver of(@Nullable CallObserver observer) {
		return (observer == null || observer instanceof GuardedObserver) ? observer : new GuardedObserver(observer);
	}

	@Override
	public @Nullable Object contextKey() {
		return guarded(this.observer::contextKey, null);
	}

	@Override
	public Call start(CallTarget target, @Nullable Object parent) {
		return new GuardedCall(guarded(() -> this.observer.start(target, parent), null));
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

		private final @Nullable Call call;

		GuardedCall(@Nullable Call call) {
			this.call = call;
		}

		@Override
		public Scope open() {
			Call call = this.call;
			return GuardedObserver.this.open((call != null) ? call::open : null);
		}

		@Override
		public ObservedAttempt attempt(int number) {
			Call call = this.call;
			return new GuardedAttempt((call != null) ? guarded(() -> call.attempt(number), null) : null);
		}

		@Override
		public void waiting(int nextAttempt, Duration delay, Throwable failure, String reason) {
			Call call = this.call;
			if (call != null) {
				quietly(() -> call.waiting(nextAttempt, delay, failure, reason));
			}
		}

		@Override
		public void end(Outcome outcome, int attempts, @Nullable Throwable failure) {
			Call call = this.call;
			if (call != null) {
				quietly(() -> call.end(outcome, attempts, failure));
			}
		}

		@Override
		public void cancelled(int attempts) {
			Call call = this.call;
			if (call != null) {
				quietly(() -> call.cancelled(attempts));
			}
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
