package dev.retry.classify;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.retry.internal.Causes;
import org.jspecify.annotations.Nullable;

/**
 * Reads how long a failure asks the caller to wait before trying again, such as the
 * {@code Retry-After} header of a 429 or 503 response, or a gRPC or SDK error's own retry hint.
 * With {@code respect-retry-after} on, the wait before the next attempt is the larger of this and
 * the computed backoff, capped at {@code max-delay}. Consulted for the failure and then each of
 * its causes, until one answers.
 *
 * <pre>{@code
 * @Bean
 * RetryAfterResolver throttledSdk() {
 *     return (failure, now) -> (failure instanceof ThrottledException throttled)
 *             ? Duration.ofMillis(throttled.getRetryAfterMillis()) : null;
 * }
 * }</pre>
 */
@FunctionalInterface
public interface RetryAfterResolver {

	/** Knows no failure. */
	RetryAfterResolver NONE = (failure, now) -> null;

	/**
	 * @param failure a failure, or one of its causes
	 * @param now the current wall-clock time, for hints given as an absolute time
	 * @return the wait asked for (zero or more), or {@code null} when this failure gives none
	 */
	@Nullable Duration retryAfter(Throwable failure, Instant now);

	/** The first answer of these resolvers, asked in order. */
	static RetryAfterResolver firstOf(List<? extends RetryAfterResolver> resolvers) {
		RetryAfterResolver[] all = resolvers.toArray(new RetryAfterResolver[0]);
		if (all.length == 0) {
			return NONE;
		}
		if (all.length == 1) {
			return all[0];
		}
		return (failure, now) -> {
			for (RetryAfterResolver resolver : all) {
				Duration wait = resolver.retryAfter(failure, now);
				if (wait != null) {
					return wait;
				}
			}
			return null;
		};
	}

	/** The wait asked for by a failure or, failing that, by the nearest of its causes that asks. */
	static @Nullable Duration alongCauses(RetryAfterResolver resolver, Throwable failure, Instant now) {
		Duration wait = Causes.first(failure, (t) -> resolver.retryAfter(t, now));
		return (wait != null && wait.isNegative()) ? Duration.ZERO : wait;
	}

}
