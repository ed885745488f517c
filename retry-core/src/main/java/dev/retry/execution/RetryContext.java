package dev.retry.execution;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import dev.retry.event.CallTarget;
import org.jspecify.annotations.Nullable;

/**
 * The call in progress on this thread, readable from inside a retried method: which attempt this
 * is, how many are allowed, what the last one threw, and attributes that live across the attempts
 * of one call (so an attempt can resume where the previous one stopped).
 *
 * <pre>{@code
 * @Retryable(policy = "network")
 * byte[] download(String url) {
 *     RetryContext retry = RetryContext.current();
 *     ByteArrayOutputStream received = retry.computeAttributeIfAbsent("received", k -> new ByteArrayOutputStream());
 *     // request the bytes from received.size() onwards ...
 * }
 * }</pre>
 *
 * A context is valid only while its call runs, on the thread that runs it; do not keep it.
 */
public final class RetryContext {

	private static final ThreadLocal<Frames> FRAMES = ThreadLocal.withInitial(Frames::new);

	private @Nullable CallTarget target;

	private int attempt;

	private int maxAttempts;

	private @Nullable Throwable lastFailure;

	private @Nullable Map<String, Object> attributes;

	private RetryContext() {
	}

	/** The innermost retried call running on this thread, if any. */
	public static Optional<RetryContext> find() {
		Frames frames = FRAMES.get();
		return (frames.depth > 0) ? Optional.of(frames.items[frames.depth - 1]) : Optional.empty();
	}

	/**
	 * The innermost retried call running on this thread.
	 * @throws IllegalStateException when called outside a method running under a retry policy
	 */
	public static RetryContext current() {
		return find().orElseThrow(() -> new IllegalStateException(
				"No retried call is running on this thread: RetryContext.current() works only inside a method "
						+ "called through @Retryable (or a RetryExecutor), on the thread that runs the attempt"));
	}

	/** The attempt running now: 1 for the first call, 2 for the first retry. */
	public int getAttempt() {
		return this.attempt;
	}

	/** Attempts allowed in all, the first included. */
	public int getMaxAttempts() {
		return this.maxAttempts;
	}

	/** Whether this attempt is a retry, that is, not the first. */
	public boolean isRetry() {
		return this.attempt > 1;
	}

	/** What the previous attempt threw, or {@code null} during the first. */
	public @Nullable Throwable getLastFailure() {
		return this.lastFailure;
	}

	/** The method being retried. */
	public CallTarget getTarget() {
		if (this.target == null) {
			throw new IllegalStateException("RetryContext used after its call ended");
		}
		return this.target;
	}

	@SuppressWarnings("unchecked")
	public <T> @Nullable T getAttribute(String name) {
		return (this.attributes != null) ? (T) this.attributes.get(name) : null;
	}

	/** Stores a value that the following attempts of the same call can read. */
	public void setAttribute(String name, Object value) {
		if (this.attributes == null) {
			this.attributes = new HashMap<>();
		}
		this.attributes.put(name, value);
	}

	@SuppressWarnings("unchecked")
	public <T> T computeAttributeIfAbsent(String name, java.util.function.Function<String, T> factory) {
		if (this.attributes == null) {
			this.attributes = new HashMap<>();
		}
		return (T) this.attributes.computeIfAbsent(name, factory);
	}

	static RetryContext enter(CallTarget target, int maxAttempts) {
		Frames frames = FRAMES.get();
		RetryContext context = frames.push();
		context.target = target;
		context.attempt = 1;
		context.maxAttempts = maxAttempts;
		return context;
	}

	void nextAttempt(int attempt, Throwable lastFailure) {
		this.attempt = attempt;
		this.lastFailure = lastFailure;
	}

	static void exit(RetryContext context) {
		context.target = null;
		context.lastFailure = null;
		context.attributes = null;
		FRAMES.get().pop();
	}

	@Override
	public String toString() {
		return "RetryContext[" + this.target + " attempt " + this.attempt + "/" + this.maxAttempts + "]";
	}

	/** Contexts of the nested retried calls on one thread, reused so the success path allocates nothing. */
	private static final class Frames {

		private RetryContext[] items = new RetryContext[4];

		private int depth;

		RetryContext push() {
			if (this.depth == this.items.length) {
				this.items = java.util.Arrays.copyOf(this.items, this.depth * 2);
			}
			RetryContext context = this.items[this.depth];
			if (context == null) {
				context = new RetryContext();
				this.items[this.depth] = context;
			}
			this.depth++;
			return context;
		}

		void pop() {
			this.depth--;
		}

	}

}
