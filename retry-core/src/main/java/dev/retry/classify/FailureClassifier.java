package dev.retry.classify;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import dev.retry.policy.RetryPolicy;

/**
 * Decides whether a failure is worth another attempt. Immutable and thread-safe. The rules, first
 * match along the cause chain wins, except that {@code noRetryOn} is checked across the whole
 * chain before anything else:
 * <ol>
 * <li>{@link Error}s are never retried;</li>
 * <li>a {@code noRetryOn} type anywhere in the chain: not retried;</li>
 * <li>a {@code retryOn} type: retried;</li>
 * <li>an exception implementing {@link Retryability}: its own answer;</li>
 * <li>unless {@code retryOn} was configured: an HTTP response (its status in {@code retryOnStatus})
 * or a {@linkplain BuiltInTransients built-in transient} type.</li>
 * </ol>
 * Anything else is permanent.
 */
public final class FailureClassifier {

	private static final int MAX_CAUSE_DEPTH = 32;

	private final Class<?>[] retryOn;

	private final Class<?>[] noRetryOn;

	private final boolean builtIn;

	private final boolean[] retryOnStatus = new boolean[600];

	private final HttpStatusResolver statusResolver;

	/**
	 * @param policy the policy whose lists apply
	 * @param extraRetryOn types added for one method (annotation {@code retryOn})
	 * @param extraNoRetryOn types added for one method (annotation {@code noRetryOn})
	 * @param statusResolver reads HTTP statuses from failures of the HTTP clients in use
	 */
	public FailureClassifier(RetryPolicy policy, Collection<Class<? extends Throwable>> extraRetryOn,
			Collection<Class<? extends Throwable>> extraNoRetryOn, HttpStatusResolver statusResolver) {
		this.retryOn = concat(policy.getRetryOn(), extraRetryOn);
		this.noRetryOn = concat(policy.getNoRetryOn(), extraNoRetryOn);
		// The method's own additions do not switch the built-in classification off: they add to it.
		this.builtIn = policy.getRetryOn().isEmpty();
		for (int status : policy.getRetryOnStatus()) {
			this.retryOnStatus[status] = true;
		}
		this.statusResolver = statusResolver;
	}

	public FailureClassifier(RetryPolicy policy, HttpStatusResolver statusResolver) {
		this(policy, List.of(), List.of(), statusResolver);
	}

	/** Whether another attempt may succeed where this failure happened. */
	public boolean isRetryable(Throwable failure) {
		if (failure instanceof Error) {
			return false;
		}
		if (this.noRetryOn.length > 0 && anyInChain(failure, this.noRetryOn)) {
			return false;
		}
		int depth = 0;
		for (Throwable t = failure; t != null && depth < MAX_CAUSE_DEPTH; t = next(t), depth++) {
			if (isInstance(t, this.retryOn)) {
				return true;
			}
			if (t instanceof Retryability declared) {
				return declared.isTransient();
			}
			if (this.builtIn) {
				int status = this.statusResolver.statusOf(t);
				if (status >= 0) {
					return status < this.retryOnStatus.length && this.retryOnStatus[status];
				}
				if (BuiltInTransients.isTransient(t)) {
					return true;
				}
			}
		}
		return false;
	}

	/** The HTTP status the failure carries (its first along the cause chain), or -1. */
	public int statusOf(Throwable failure) {
		int depth = 0;
		for (Throwable t = failure; t != null && depth < MAX_CAUSE_DEPTH; t = next(t), depth++) {
			int status = this.statusResolver.statusOf(t);
			if (status >= 0) {
				return status;
			}
		}
		return -1;
	}

	private static boolean anyInChain(Throwable failure, Class<?>[] types) {
		int depth = 0;
		for (Throwable t = failure; t != null && depth < MAX_CAUSE_DEPTH; t = next(t), depth++) {
			if (isInstance(t, types)) {
				return true;
			}
		}
		return false;
	}

	private static boolean isInstance(Throwable t, Class<?>[] types) {
		for (Class<?> type : types) {
			if (type.isInstance(t)) {
				return true;
			}
		}
		return false;
	}

	private static Throwable next(Throwable t) {
		Throwable cause = t.getCause();
		return (cause != t) ? cause : null;
	}

	private static Class<?>[] concat(Collection<Class<? extends Throwable>> a, Collection<Class<? extends Throwable>> b) {
		List<Class<?>> all = new ArrayList<>(a);
		for (Class<?> type : b) {
			if (!all.contains(type)) {
				all.add(type);
			}
		}
		return all.toArray(new Class<?>[0]);
	}

}
