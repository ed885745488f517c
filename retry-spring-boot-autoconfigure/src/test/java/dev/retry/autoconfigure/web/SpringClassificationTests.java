package dev.retry.autoconfigure.web;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import dev.retry.classify.FailureClassifier;
import dev.retry.policy.RetryPolicy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.dao.CannotAcquireLockException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import static org.assertj.core.api.Assertions.assertThat;

/** The built-in classification against Spring's real exception types. */
class SpringClassificationTests {

	private final FailureClassifier classifier = new FailureClassifier(RetryPolicy.builder("default").build(),
			new SpringHttpStatusResolver());

	static Stream<Arguments> table() {
		return Stream.of(
				Arguments.of(new ResourceAccessException("I/O error", new ConnectException("refused")), true),
				Arguments.of(new WebClientRequestException(new IOException("reset"), HttpMethod.GET,
						URI.create("http://inventory"), new HttpHeaders()), true),
				Arguments.of(new TransientDataAccessResourceException("pool exhausted"), true),
				Arguments.of(new CannotAcquireLockException("lock"), true),
				Arguments.of(new QueryTimeoutException("slow query"), true),
				Arguments.of(new RecoverableDataAccessException("reconnect"), true),
				Arguments.of(new DataIntegrityViolationException("duplicate key"), false),
				Arguments.of(status(HttpStatus.SERVICE_UNAVAILABLE), true),
				Arguments.of(status(HttpStatus.BAD_GATEWAY), true),
				Arguments.of(status(HttpStatus.GATEWAY_TIMEOUT), true),
				Arguments.of(status(HttpStatus.INTERNAL_SERVER_ERROR), true),
				Arguments.of(status(HttpStatus.REQUEST_TIMEOUT), true),
				Arguments.of(status(HttpStatus.TOO_MANY_REQUESTS), true),
				Arguments.of(status(HttpStatus.NOT_IMPLEMENTED), false),
				Arguments.of(status(HttpStatus.BAD_REQUEST), false),
				Arguments.of(status(HttpStatus.UNAUTHORIZED), false),
				Arguments.of(status(HttpStatus.FORBIDDEN), false),
				Arguments.of(status(HttpStatus.NOT_FOUND), false),
				Arguments.of(status(HttpStatus.UNPROCESSABLE_CONTENT), false),
				Arguments.of(WebClientResponseException.create(503, "Service Unavailable", new HttpHeaders(), new byte[0],
						StandardCharsets.UTF_8), true),
				Arguments.of(WebClientResponseException.create(404, "Not Found", new HttpHeaders(), new byte[0],
						StandardCharsets.UTF_8), false),
				Arguments.of(new IllegalStateException("wrapped", status(HttpStatus.SERVICE_UNAVAILABLE)), true));
	}

	@ParameterizedTest(name = "{0} -> {1}")
	@MethodSource("table")
	void classifiesSpringFailures(Throwable failure, boolean retryable) {
		assertThat(this.classifier.isRetryable(failure)).isEqualTo(retryable);
	}

	private static Exception status(HttpStatus status) {
		return status.is4xxClientError() ? HttpClientErrorException.create(status, status.getReasonPhrase(),
				new HttpHeaders(), new byte[0], StandardCharsets.UTF_8)
				: HttpServerErrorException.create(status, status.getReasonPhrase(), new HttpHeaders(), new byte[0],
						StandardCharsets.UTF_8);
	}

}
