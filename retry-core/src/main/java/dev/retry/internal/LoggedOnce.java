package dev.retry.internal;

import java.lang.System.Logger.Level;

/**
 * A warning about extension code that threw (a listener, a Retry-After resolver), logged the
 * first time only: the call goes on as if nothing had been thrown, and the log is not flooded.
 */
public final class LoggedOnce {

	private static final System.Logger LOGGER = System.getLogger("dev.retry.Retry");

	private final String what;

	private volatile boolean logged;

	/** @param what who threw and what happens instead, such as "A RetryAfterResolver threw; treated as no hint" */
	public LoggedOnce(String what) {
		this.what = what;
	}

	public void failed(Object source, Throwable failure) {
		if (!this.logged) {
			this.logged = true;
			LOGGER.log(Level.WARNING, this.what + " (" + source + "); logged once", failure);
		}
	}

}
