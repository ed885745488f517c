package dev.retry.cloud;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

/**
 * A real HTTP server on a random local port that can go down (its port then refuses connections)
 * and come back on the same port. Answers 500 on paths under {@code /broken/}, else 200 with
 * {@code stock of <path>}; counts the requests that reached it. A request under {@code /slow/}
 * waits, while {@link #hold()} is in force, until {@link #release()}.
 */
final class Downstream implements AutoCloseable {

	private final AtomicInteger requests = new AtomicInteger();

	private final int port;

	private final ExecutorService handlers = Executors.newCachedThreadPool();

	private volatile CountDownLatch held = new CountDownLatch(0);

	private HttpServer server;

	private Downstream(HttpServer server) {
		this.server = server;
		this.port = server.getAddress().getPort();
	}

	static Downstream start() {
		try {
			Downstream downstream = new Downstream(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0));
			downstream.serve();
			return downstream;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private void serve() {
		this.server.createContext("/", (exchange) -> {
			this.requests.incrementAndGet();
			String path = exchange.getRequestURI().getPath();
			if (path.startsWith("/slow/")) {
				awaitRelease();
			}
			int status = path.startsWith("/broken/") ? 500 : 200;
			byte[] body = ((status == 200) ? "stock of " + path : "broken").getBytes(StandardCharsets.UTF_8);
			exchange.sendResponseHeaders(status, body.length);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(body);
			}
		});
		this.server.setExecutor(this.handlers);
		this.server.start();
	}

	private void awaitRelease() {
		try {
			this.held.await(30, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** From now on, requests under {@code /slow/} wait for {@link #release()}. */
	void hold() {
		this.held = new CountDownLatch(1);
	}

	/** Lets every waiting request answer, and those to come answer at once. */
	void release() {
		this.held.countDown();
	}

	String url() {
		return "http://127.0.0.1:" + this.port;
	}

	/** Requests that reached the server, up or down since. */
	int requests() {
		return this.requests.get();
	}

	/** Stops listening: connections to its port are refused. */
	void goDown() {
		this.server.stop(0);
	}

	/** Listens again, on the same port. */
	void comeBack() {
		try {
			this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", this.port), 0);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		serve();
	}

	@Override
	public void close() {
		release();
		this.server.stop(0);
		this.handlers.shutdownNow();
	}

}
