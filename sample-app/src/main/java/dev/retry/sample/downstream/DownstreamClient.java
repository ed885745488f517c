package dev.retry.sample.downstream;

import java.time.Duration;

import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;

/**
 * The HTTP client the storefront's services share to reach the downstreams. It gives up on an
 * answer after one second, so a slow downstream shows as a timeout, which the policies retry.
 */
@Component
public class DownstreamClient {

	/** How long a request waits for its answer. */
	public static final Duration READ_TIMEOUT = Duration.ofSeconds(1);

	private final RestClient client;

	public DownstreamClient(RestClient.Builder builder, DownstreamServer server) {
		// HttpURLConnection hands over every byte that arrived before a connection broke, so a
		// download resumes exactly where it stopped (the JDK HttpClient may drop buffered bytes).
		SimpleClientHttpRequestFactory requests = new SimpleClientHttpRequestFactory();
		requests.setConnectTimeout(Duration.ofSeconds(1));
		requests.setReadTimeout(READ_TIMEOUT);
		this.client = builder.clone().baseUrl(server.baseUrl()).requestFactory(requests).build();
	}

	public RestClient rest() {
		return this.client;
	}

}
