package dev.retry.docs.behaviour;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.util.function.IntFunction;

import dev.retry.annotation.Retryable;
import dev.retry.execution.RetryContext;

/** The guide's "current attempt" example: a download that resumes where the last attempt stopped. */
class ResumingDownloader {

	/** Opens the file from a byte offset, as an HTTP Range request would. */
	private IntFunction<InputStream> source = (from) -> InputStream.nullInputStream();

	void setSource(IntFunction<InputStream> source) {
		this.source = source;
	}

	// tag::resume[]
	@Retryable(policy = "network")
	public byte[] download(String file) throws IOException {
		RetryContext retry = RetryContext.current();
		ByteArrayOutputStream received = retry.computeAttributeIfAbsent("received", (key) -> new ByteArrayOutputStream());
		try (InputStream in = open(file, received.size())) {     // e.g. "Range: bytes=<received>-"
			in.transferTo(received);    // what arrived before a cut is kept for the next attempt
		}
		return received.toByteArray();
	}
	// end::resume[]

	private InputStream open(String file, int from) {
		return this.source.apply(from);
	}

	/** A stream of {@code content} from {@code from} that fails with a reset connection after {@code cutAfter} bytes. */
	static InputStream cut(byte[] content, int from, int cutAfter) {
		return new InputStream() {

			private int position = from;

			@Override
			public int read() throws IOException {
				if (this.position >= content.length) {
					return -1;
				}
				if (this.position - from >= cutAfter) {
					throw new SocketException("Connection reset");
				}
				return content[this.position++];
			}

		};
	}


}
