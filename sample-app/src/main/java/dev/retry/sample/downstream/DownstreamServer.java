package dev.retry.sample.downstream;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.retry.sample.downstream.Downstream.Verdict;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The storefront's downstreams, served over real HTTP by this application on a port of their own
 * (random unless {@code storefront.downstreams.port} is set), each behaving as its
 * {@link Downstream} mode says:
 * <ul>
 * <li>{@code GET /inventory/{sku}}: stock as JSON;</li>
 * <li>{@code GET /pricing/{sku}}: a price as JSON; rate-limited by default;</li>
 * <li>{@code GET /files/{name}}: a {@value #FILE_SIZE}-byte file, honouring {@code Range: bytes=N-};
 * a flaky request is cut off half-way through the bytes it sends.</li>
 * </ul>
 */
@Component
public class DownstreamServer implements SmartLifecycle {

	/** Size of every file served. */
	public static final int FILE_SIZE = 4 * 1024 * 1024;

	/** How long a slow downstream takes to answer: longer than the clients wait. */
	static final Duration SLOW_ANSWER = Duration.ofSeconds(3);

	/** What a rate-limited downstream asks for. */
	public static final int RETRY_AFTER_SECONDS = 2;

	private static final Log logger = LogFactory.getLog(DownstreamServer.class);

	private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

	private final Downstreams downstreams;

	private final HttpServer server;

	private final ExecutorService executor;

	private final AtomicLong bytesServed = new AtomicLong();

	private volatile boolean running;

	public DownstreamServer(Downstreams downstreams, @Value("${storefront.downstreams.port:0}") int port)
			throws IOException {
		this.downstreams = downstreams;
		this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
		AtomicInteger threads = new AtomicInteger();
		this.executor = Executors.newFixedThreadPool(16, (task) -> {
			Thread thread = new Thread(task, "downstream-" + threads.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		});
		this.server.setExecutor(this.executor);
		this.server.createContext("/inventory/", (exchange) -> json(exchange, "inventory",
				() -> "{\"sku\":\"" + last(exchange) + "\",\"available\":" + Math.abs(last(exchange).hashCode() % 50) + "}"));
		this.server.createContext("/pricing/", (exchange) -> json(exchange, "pricing",
				() -> "{\"sku\":\"" + last(exchange) + "\",\"amount\":" + (10 + Math.abs(last(exchange).hashCode() % 90))
						+ ".99,\"currency\":\"EUR\"}"));
		this.server.createContext("/files/", this::file);
	}

	/** Where the downstreams answer, such as {@code http://127.0.0.1:41234}. */
	public String baseUrl() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort();
	}

	/** Bytes of files written to clients, the bytes of cut-off responses included. */
	public long bytesServed() {
		return this.bytesServed.get();
	}

	/** Starts counting served bytes from zero. */
	public void resetBytesServed() {
		this.bytesServed.set(0);
	}

	/** The byte at {@code offset} of every served file. */
	public static byte byteAt(long offset) {
		return (byte) (offset * 31 + 7);
	}

	private void json(HttpExchange exchange, String name, java.util.function.Supplier<String> body) throws IOException {
		try (exchange) {
			Verdict verdict = this.downstreams.get(name).next();
			if (refused(exchange, verdict)) {
				return;
			}
			byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
			exchange.getResponseHeaders().set("Content-Type", "application/json");
			exchange.sendResponseHeaders(200, bytes.length);
			exchange.getResponseBody().write(bytes);
		}
	}

	/** Answers a failure, or waits when slow; true when the request got its answer. */
	private boolean refused(HttpExchange exchange, Verdict verdict) throws IOException {
		switch (verdict) {
			case FAIL, DROP -> {
				exchange.sendResponseHeaders(503, -1);
				return true;
			}
			case RATE_LIMIT -> {
				exchange.getResponseHeaders().set("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
				exchange.sendResponseHeaders(429, -1);
				return true;
			}
			case SLOW -> {
				try {
					Thread.sleep(SLOW_ANSWER.toMillis());
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				return false;
			}
			default -> {
				return false;
			}
		}
	}

	private void file(HttpExchange exchange) throws IOException {
		Verdict verdict = this.downstreams.get("files").next();
		if (verdict != Verdict.DROP && refused(exchange, verdict)) {
			exchange.close();
			return;
		}
		String range = exchange.getRequestHeaders().getFirst("Range");
		Matcher matcher = (range != null) ? RANGE.matcher(range) : null;
		long from = (matcher != null && matcher.matches()) ? Long.parseLong(matcher.group(1)) : 0;
		if (from >= FILE_SIZE) {
			exchange.sendResponseHeaders(416, -1);
			exchange.close();
			return;
		}
		long length = FILE_SIZE - from;
		exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
		exchange.getResponseHeaders().set("Accept-Ranges", "bytes");
		if (from > 0) {
			exchange.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (FILE_SIZE - 1) + "/" + FILE_SIZE);
		}
		exchange.sendResponseHeaders((from > 0) ? 206 : 200, length);
		long until = (verdict == Verdict.DROP) ? from + length / 2 : FILE_SIZE;
		OutputStream body = exchange.getResponseBody();
		byte[] chunk = new byte[16 * 1024];
		try {
			for (long offset = from; offset < until;) {
				int n = (int) Math.min(chunk.length, until - offset);
				for (int i = 0; i < n; i++) {
					chunk[i] = byteAt(offset + i);
				}
				body.write(chunk, 0, n);
				this.bytesServed.addAndGet(n);
				offset += n;
			}
			body.flush();
		}
		catch (IOException ex) {
			// The client went away.
		}
		if (verdict == Verdict.DROP) {
			logger.info("files: cutting the connection after byte " + until + " of " + FILE_SIZE);
			// Closing the exchange before the announced length is sent closes the connection.
			try {
				exchange.close();
			}
			catch (UncheckedIOException | IllegalStateException ex) {
				// Expected: the length announced was not sent.
			}
			return;
		}
		exchange.close();
	}

	private static String last(HttpExchange exchange) {
		String path = exchange.getRequestURI().getPath();
		return path.substring(path.lastIndexOf('/') + 1);
	}

	@Override
	public void start() {
		this.server.start();
		this.running = true;
		logger.info("Downstreams (inventory, pricing, files) listening on " + baseUrl());
	}

	@Override
	public void stop() {
		this.running = false;
		this.server.stop(0);
		this.executor.shutdownNow();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

}
