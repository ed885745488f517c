package dev.retry.sample.files;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import dev.retry.annotation.Retryable;
import dev.retry.execution.RetryContext;
import dev.retry.sample.downstream.DownstreamClient;

import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Service;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.RestClient;

/**
 * Downloads large files. When the connection breaks half-way, the retry asks only for the bytes
 * still missing, with an HTTP {@code Range} request: the bytes received so far live in the
 * {@link RetryContext}, which the attempts of one call share.
 */
@Service
public class FileDownloader {

	private final RestClient client;

	public FileDownloader(DownstreamClient client) {
		this.client = client.rest();
	}

	@Retryable(policy = "download")
	public Download download(String name) {
		RetryContext retry = RetryContext.current();
		ByteArrayOutputStream received = retry.computeAttributeIfAbsent("received", (key) -> new ByteArrayOutputStream());
		int from = received.size();
		this.client.get().uri("/files/{name}", name).headers((headers) -> {
			if (from > 0) {
				headers.set(HttpHeaders.RANGE, "bytes=" + from + "-");
			}
		}).exchange((request, response) -> {
			if (response.getStatusCode().is4xxClientError()) {
				throw HttpClientErrorException.create(response.getStatusCode(), response.getStatusText(),
						response.getHeaders(), new byte[0], null);
			}
			if (response.getStatusCode().isError()) {
				throw HttpServerErrorException.create(response.getStatusCode(), response.getStatusText(),
						response.getHeaders(), new byte[0], null);
			}
			long expected = response.getHeaders().getContentLength();
			long copied;
			try (InputStream body = response.getBody()) {
				// Whatever arrives before the connection breaks is kept for the next attempt.
				copied = body.transferTo(received);
			}
			if (expected >= 0 && copied < expected) {
				// Some clients report a cut connection as a plain end of the body.
				throw new EOFException("connection closed after " + copied + " of " + expected + " bytes");
			}
			return null;
		});
		byte[] bytes = received.toByteArray();
		return new Download(name, bytes.length, retry.getAttempt(), sha256(bytes));
	}

	static String sha256(byte[] bytes) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
