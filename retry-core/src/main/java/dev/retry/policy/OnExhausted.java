package dev.retry.policy;

/** What the caller gets when every attempt failed. */
public enum OnExhausted {

	/** The last exception itself, unchanged. */
	RETHROW,

	/** An unchecked {@link dev.retry.RetryExhaustedException} whose cause is the last exception. */
	WRAP

}
