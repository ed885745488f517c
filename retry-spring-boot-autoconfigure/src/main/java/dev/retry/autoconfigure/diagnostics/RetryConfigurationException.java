package dev.retry.autoconfigure.diagnostics;

import org.jspecify.annotations.Nullable;

/**
 * Invalid retry configuration or annotation use, found at start-up. Reported by
 * {@link RetryConfigurationFailureAnalyzer} as a description of what is wrong and an action that
 * says what is allowed.
 */
public class RetryConfigurationException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	private final String action;

	public RetryConfigurationException(String description, String action) {
		super(description);
		this.action = action;
	}

	/**
	 * A property holding a value that is not allowed.
	 * @param property the full property name
	 * @param value the value as bound
	 * @param origin where it was set, or {@code null} when unknown
	 * @param reason what is wrong with it
	 * @param allowed what would be accepted
	 */
	public static RetryConfigurationException invalidProperty(String property, Object value, @Nullable String origin,
			String reason, String allowed) {
		StringBuilder description = new StringBuilder("Invalid retry configuration:\n\n")
			.append("    Property: ").append(property).append('\n')
			.append("    Value:    \"").append(value).append("\"\n");
		if (origin != null) {
			description.append("    Origin:   ").append(origin).append('\n');
		}
		description.append("    Reason:   ").append(reason);
		return new RetryConfigurationException(description.toString(),
				"Update your application's configuration: " + property + " must be " + allowed + ".");
	}

	/** What the user should do. */
	public String getAction() {
		return this.action;
	}

}
