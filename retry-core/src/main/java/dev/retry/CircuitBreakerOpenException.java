package dev.retry;

import java.time.Duration;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * Thrown instead of calling when a circuit breaker is open. Never retried, never counted as a
 * failure of the breaker. Carries the breaker's name and how long until it lets a trial call
 * through; when it stopped a retry, its cause is the real failure of the attempt before.
 */
public class CircuitBreakerOpenException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	private final String breakerName;

	private final Duration untilHalfOpen;

	/**
	 * @param breakerName the breaker's name
	 * @param untilHalfOpen time until it half-opens; negative when it was forced open and stays
	 * open until closed by hand
	 */
	public CircuitBreakerOpenException(String breakerName, Duration untilHalfOpen) {
		this(breakerName, untilHalfOpen, null);
	}

	/**
	 * @param breakerName the breaker's name
	 * @param untilHalfOpen time until it half-opens; negative when forced open
	 * @param lastFailure the real failure of the attempt before this rejection (a retry stopped by
	 * the breaker), kept as the cause so that the caller still sees what went wrong; or {@code null}
	 */
	public CircuitBreakerOpenException(String breakerName, Duration untilHalfOpen, @Nullable Throwable lastFailure) {
		super(message(breakerName, untilHalfOpen), lastFailure, false, false);
		this.breakerName = breakerName;
		this.untilHalfOpen = untilHalfOpen;
	}

	/**
	 * This rejection with {@code lastFailure} as its cause, when it has none yet: what a retry
	 * stopped by the breaker throws.
	 */
	public CircuitBreakerOpenException after(Throwable lastFailure) {
		return (getCause() != null || lastFailure == this) ? this
				: new CircuitBreakerOpenException(this.breakerName, this.untilHalfOpen, lastFailure);
	}

	private static String message(String name, Duration untilHalfOpen) {
		if (untilHalfOpen.isNegative()) {
			return "Circuit breaker '" + name + "' is forced open; it stays open until closed";
		}
		return "Circuit breaker '" + name + "' is open; it half-opens in "
				+ String.format(Locale.ROOT, "%.1fs", untilHalfOpen.toNanos() / 1e9);
	}

	public String getBreakerName() {
		return this.breakerName;
	}

	/** Time until the breaker lets a trial call through; negative when forced open. */
	public Duration getUntilHalfOpen() {
		return this.untilHalfOpen;
	}

}
