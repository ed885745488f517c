package dev.retry.docs.result;

import dev.retry.annotation.Retryable;
import dev.retry.http.RetryableStatus;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.ResponseEntity;
import org.springframework.web.client.RestClient;

public class JobClient {

	private final RestClient rest;

	public JobClient(RestClient.Builder builder, @Value("${jobs.url}") String url) {
		this.rest = builder.baseUrl(url).build();
	}

	// tag::status[]
	@Retryable(policy = "jobs", retryOnResult = StillPending.class)
	public String status(String jobId) {
		return rest.get().uri("/jobs/{id}", jobId).retrieve().body(String.class);
	}
	// end::status[]

	// tag::entity[]
	@Retryable(policy = "jobs", retryOnResult = RetryableStatus.class)
	public ResponseEntity<String> result(String jobId) {
		return rest.get().uri("/jobs/{id}/result", jobId).retrieve()
			.onStatus((status) -> true, (request, response) -> { })   // hand every response back
			.toEntity(String.class);
	}
	// end::entity[]

}
