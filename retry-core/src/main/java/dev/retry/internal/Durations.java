package dev.retry.internal;

import java.math.BigDecimal;
import java.time.Duration;

/** Durations as people write them in {@code application.yml}. */
public final class Durations {

	private Durations() {
	}

	/** {@code 60s}, {@code 1.5s}, {@code 250ms}, {@code 0}. */
	public static String text(Duration duration) {
		if (duration.isZero()) {
			return "0";
		}
		if (duration.toMillis() < 1000) {
			return duration.toMillis() + "ms";
		}
		return BigDecimal.valueOf(duration.toMillis(), 3).stripTrailingZeros().toPlainString() + "s";
	}

}
