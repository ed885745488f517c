package dev.retry.internal;

import java.util.function.Function;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;

/**
 * The one walk along a failure's cause chain: the failure itself, then each cause in turn, at most
 * {@value #MAX_DEPTH} deep, stopping at a cause that is its own cause. Every reader of causes
 * (classification, breaker filters, Retry-After hints) goes through here, so they all see the same
 * chain.
 */
public final class Causes {

	/** How deep a chain is read; deeper causes (or cycles) are not looked at. */
	public static final int MAX_DEPTH = 32;

	private Causes() {
	}

	/**
	 * The first non-null answer of {@code probe} along the chain.
	 * @return that answer, or {@code null} when no element of the chain gives one
	 */
	public static <R> @Nullable R first(Throwable failure, Function<Throwable, @Nullable R> probe) {
		Throwable current = failure;
		for (int depth = 0; current != null && depth < MAX_DEPTH; depth++) {
			R answer = probe.apply(current);
			if (answer != null) {
				return answer;
			}
			Throwable cause = current.getCause();
			current = (cause != current) ? cause : null;
		}
		return null;
	}

	/** Whether any element of the chain matches. */
	public static boolean any(Throwable failure, Predicate<Throwable> test) {
		return first(failure, (t) -> test.test(t) ? Boolean.TRUE : null) != null;
	}

	/** Whether any element of the chain is an instance of one of these types. */
	public static boolean anyInstanceOf(Throwable failure, Class<?>[] types) {
		return types.length > 0 && any(failure, (t) -> isInstance(t, types));
	}

	/** Whether {@code t} is an instance of one of these types. */
	public static boolean isInstance(Throwable t, Class<?>[] types) {
		for (Class<?> type : types) {
			if (type.isInstance(t)) {
				return true;
			}
		}
		return false;
	}

}
