package dev.retry.internal;

import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * Keeps secrets out of what the library shows (log lines, endpoint responses, breaker reasons):
 * URLs lose their user-info, and query values of {@code password}, {@code token}, {@code secret},
 * {@code key}, {@code api_key}, {@code apikey}, {@code access_token} and {@code signature} become
 * {@code ***}.
 */
public final class Redaction {

	private static final Pattern USER_INFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^/\\s@?#]+@");

	private static final Pattern SECRET_QUERY_VALUE = Pattern.compile(
			"(?i)([?&;](?:password|token|secret|key|api_key|apikey|access_token|signature)=)[^&;#\\s\"'<>]*");

	private Redaction() {
	}

	/** The text with user-info and secret query values replaced. */
	public static @Nullable String redact(@Nullable String text) {
		if (text == null || (text.indexOf('@') < 0 && text.indexOf('=') < 0)) {
			return text;
		}
		String redacted = USER_INFO.matcher(text).replaceAll("$1");
		return SECRET_QUERY_VALUE.matcher(redacted).replaceAll("$1***");
	}

	/** {@code fully.qualified.Name: message}, redacted: how endpoints show a failure. */
	public static String describeQualified(Throwable failure) {
		return failure.getClass().getName() + ": " + redact(failure.getMessage());
	}

	/** {@code SimpleName: message}, redacted. */
	public static String describe(@Nullable Throwable failure) {
		if (failure == null) {
			return "no exception";
		}
		return failure.getClass().getSimpleName() + ": " + redact(failure.getMessage());
	}

}
