package dev.retry.classify;

/**
 * Reads the HTTP status carried by a failure, for clients the core does not know (the Spring
 * auto-configuration supplies one for {@code RestClient}, {@code RestTemplate} and {@code WebClient}).
 */
@FunctionalInterface
public interface HttpStatusResolver {

	/** Knows no HTTP client. */
	HttpStatusResolver NONE = (failure) -> -1;

	/**
	 * The HTTP status of the response this failure reports.
	 * @return the status, or {@code -1} when the failure is not an HTTP response
	 */
	int statusOf(Throwable failure);

}
