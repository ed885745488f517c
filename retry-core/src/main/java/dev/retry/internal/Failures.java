package dev.retry.internal;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Internal: reading failures delivered by futures. */
public final class Failures {

	private Failures() {
	}

	/**
	 * The failure itself, not the {@link CompletionException} or {@link ExecutionException} a
	 * future wraps it in (such wrappers without a cause are kept).
	 */
	public static Throwable unwrap(Throwable failure) {
		Throwable current = failure;
		while ((current instanceof CompletionException || current instanceof ExecutionException)
				&& current.getCause() != null) {
			current = current.getCause();
		}
		return current;
	}

}
