package dev.retry.classify;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import dev.retry.internal.Causes;
import dev.retry.policy.RetryPolicy;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether a failure is worth another attempt. Immutable and thread-safe. The rules, first
 * match along the cause chain wins, except that {@code noRetryOn} is checked across the whole
 * chain before anything else:
 * <ol>
 * <li>{@link Error}s are never retried;</li>
 * <li>a {@code noRetryOn} type anywhere in the chain: not retried;</li>
 * <li>a {@code retryOn} type: retried;</li>
 * <li>an exception implementing {@link Retryability}: its own answer;</li>
 * <li>unless {@code retryOn} was configured: a {@linkplain BuiltInTransients built-in transient}
 * type, or an HTTP response whose status is not 2xx (retried when in {@code retryOnStatus}); a 2xx
 * status decides nothing, so a body cut off after a 200 is judged by the cause that cut it.</li>
 * </ol>
 * Anything else is permanent.
 */
public final class FailureClassifier {

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
		if (Causes.anyInstanceOf(failure, this.noRetryOn)) {
			return false;
		}
		return Causes.first(failure, this::verdict) == Boolean.TRUE;
	}

	/** What one element of the chain says, or {@code null} when it says nothing and the next is asked. */
	private @Nullable Boolean verdict(Throwable t) {
		if (Causes.isInstance(t, this.retryOn)) {
			return Boolean.TRUE;
		}
		if (t instanceof Retryability declared) {
			return declared.isTransient();
		}
		if (!this.builtIn) {
			return null;
		}
		if (BuiltInTransients.isTransient(t)) {
			return Boolean.TRUE;
		}
		int status = this.statusResolver.statusOf(t);
		if (status < 0 || isSuccessful(status)) {
			// A 2xx status says the response began well, not how it ended: a body cut off further
			// down the chain is what decides.
			return null;
		}
		return status < this.retryOnStatus.length && this.retryOnStatus[status];
	}

	/** The HTTP status the failure carries (its first along the cause chain), or -1. */
	public int statusOf(Throwable failure) {
		Integer status = Causes.first(failure, (t) -> {
			int found = this.statusResolver.statusOf(t);
			return (found >= 0) ? found : null;
		});
		return (status != null) ? status : -1;
	}

	private static boolean isSuccessful(int status) {
		return status >= 200 && status < 300;
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
