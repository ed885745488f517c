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
 * A context is valid only while its call runs. For a synchronous call, use it on the thread that
 * runs the call and do not keep it. For a call returning a {@code CompletionStage}, each attempt
 * invokes the method again and {@code current()} works in the method body while it runs; code
 * that runs later on another thread may use a reference taken there, until the call ends. For
 * {@code Mono} and {@code Flux}, the method runs once and retries resubscribe: read the context
 * inside the pipeline from the Reactor context, under the key {@code RetryContext.class}.
 * Listeners are called with the call's context current.
 */
public final class RetryContext {

	private static final ThreadLocal<Frames> FRAMES = ThreadLocal.withInitial(Frames::new);

	private @Nullable CallTarget target;

	private int attempt;

	private int maxAttempts;

	private @Nullable Throwable lastFailure;

	private @Nullable Map<String, Object> attributes;

	/** The frames of the thread that pooled this context; {@code null} for a detached context. */
	private final @Nullable Frames frames;

	private RetryContext() {
		this(null);
	}

	private RetryContext(@Nullable Frames frames) {
		this.frames = frames;
	}

	/** The innermost retried call running on this thread, if any. */
	public static Optional<RetryContext> find() {
		Frames frames = FRAMES.get();
		return (frames.depth > 0) ? Optional.of(frames.stack[frames.depth - 1]) : Optional.empty();
	}

	/**
	 * The innermost context current on this thread, or {@code null}: what a stage takes along to
	 * the threads it continues the call on (a hedge starts on the watchdog's).
	 */
	static @Nullable RetryContext currentOrNull() {
		Frames frames = FRAMES.get();
		return (frames.depth > 0) ? frames.stack[frames.depth - 1] : null;
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
		CallTarget target = this.target;
		if (this.attempt == 0 || target == null) {
			throw new IllegalStateException("RetryContext used after its call ended");
		}
		return target;
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
		return FRAMES.get().push().start(target, maxAttempts);
	}

	/** A context of its own for a call that outlives the thread that started it (an asynchronous call). */
	static RetryContext detached(CallTarget target, int maxAttempts) {
		return new RetryContext().start(target, maxAttempts);
	}

	/** Makes a detached context current on this thread until {@link #leave}; nothing for {@code null}. */
	static void resume(@Nullable RetryContext context) {
		if (context != null) {
			FRAMES.get().push(context);
		}
	}

	/** Ends what {@link #resume} began for the same context. */
	static void leave(@Nullable RetryContext context) {
		if (context != null) {
			FRAMES.get().popDetached();
		}
	}

	/** Ends a detached context's call; nothing for {@code null}. */
	static void end(@Nullable RetryContext context) {
		if (context != null) {
			context.end();
		}
	}

	/**
	 * Ends the call: attempt 0 marks an ended context. The target stays, so that a pooled context
	 * serving the same method again stores nothing but numbers.
	 */
	void end() {
		this.attempt = 0;
		if (this.lastFailure != null) {
			this.lastFailure = null;
		}
		if (this.attributes != null) {
			this.attributes = null;
		}
	}

	private RetryContext start(CallTarget target, int maxAttempts) {
		if (this.target != target) {
			this.target = target;
		}
		this.attempt = 1;
		this.maxAttempts = maxAttempts;
		return this;
	}

	void nextAttempt(int attempt, Throwable lastFailure) {
		this.attempt = attempt;
		this.lastFailure = lastFailure;
	}

	/** Ends what {@link #enter} began: the context knows its thread's frames, so no second look-up. */
	static void exit(RetryContext context) {
		context.end();
		context.frames.pop();
	}

	@Override
	public String toString() {
		return "RetryContext[" + this.target + " attempt " + this.attempt + "/" + this.maxAttempts + "]";
	}

	/**
	 * The contexts of the nested retried calls current on one thread. Synchronous calls reuse one
	 * pooled context per depth, so the success path allocates nothing and touches one array slot.
	 */
	private static final class Frames {

		/**
		 * The contexts current at each depth. A slot keeps its pooled context after the call ends,
		 * for the next call at that depth; a detached context is cleared when it leaves.
		 */
		private RetryContext[] stack = new RetryContext[4];

		/** The pooled context a detached one displaced at each depth, put back when it leaves. */
		private RetryContext[] displaced = new RetryContext[4];

		private int depth;

		/**
		 * The pooled context of the outermost depth, once made: the same as {@code stack[0]} whenever
		 * depth is 0 (a detached context displacing it is always put back), so that the usual call,
		 * not nested in another, finds its context with one load.
		 */
		private @Nullable RetryContext outermost;

		/** The pooled context of the next depth, made current. */
		RetryContext push() {
			int depth = this.depth;
			RetryContext context = this.outermost;
			if (depth == 0 && context != null) {
				this.depth = 1;
				return context;
			}
			RetryContext[] stack = this.stack;
			if (depth == stack.length) {
				stack = grow();
			}
			context = stack[depth];
			if (context == null || context.frames != this) {
				context = new RetryContext(this);
				stack[depth] = context;
				if (depth == 0) {
					this.outermost = context;
				}
			}
			this.depth = depth + 1;
			return context;
		}

		/** Makes a detached context current at the next depth. */
		void push(RetryContext detached) {
			if (this.depth == this.stack.length) {
				grow();
			}
			RetryContext previous = this.stack[this.depth];
			this.displaced[this.depth] = (previous != null && previous.frames == this) ? previous : null;
			this.stack[this.depth++] = detached;
		}

		private RetryContext[] grow() {
			this.stack = java.util.Arrays.copyOf(this.stack, this.stack.length * 2);
			this.displaced = java.util.Arrays.copyOf(this.displaced, this.stack.length);
			return this.stack;
		}

		/** Ends the innermost pooled context's call; its slot keeps it for the next call. */
		void pop() {
			this.depth--;
		}

		/**
		 * Ends the innermost detached context's time on this thread: its slot lets go of it and gets
		 * back the pooled context it displaced, so the next synchronous call allocates nothing.
		 */
		void popDetached() {
			int depth = --this.depth;
			this.stack[depth] = this.displaced[depth];
			this.displaced[depth] = null;
		}

	}

}
