package dev.retry.docs.configuration;

/** A failure retrying cannot mend: not named in {@code retry-on}, so never retried. */
public class CardDeclinedException extends RuntimeException {

	public CardDeclinedException(String message) {
		super(message);
	}

}
