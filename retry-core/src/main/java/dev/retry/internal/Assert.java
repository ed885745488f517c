package dev.retry.internal;

/**
 * Fail-fast argument checks whose messages name the parameter, so a bad value reads as
 * {@code "maxAttempts must be >= 1, was 0"} rather than as a stack trace from deep inside.
 */
public final class Assert {

	private Assert() {
	}

	public static void isTrue(boolean condition, String message, Object... args) {
		if (!condition) {
			throw new IllegalArgumentException(String.format(message, args));
		}
	}

	public static <T> T notNull(T value, String parameter) {
		if (value == null) {
			throw new IllegalArgumentException(parameter + " must not be null");
		}
		return value;
	}

}
