package dev.retry.cloud;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

/**
 * A real HTTP server on a random local port that can go down (its port then refuses connections)
 * and come back on the same port. Answers 500 on paths under {@code /broken/}, else 200 with
 * {@code stock of <path>}; counts the requests that reached it.
 */
final class Downstream implements AutoCloseable {

	private final AtomicInteger requests = new AtomicInteger();

	private final int port;

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
			int status = path.startsWith("/broken/") ? 500 : 200;
			byte[] body = ((status == 200) ? "stock of " + path : "broken").getBytes(StandardCharsets.UTF_8);
			exchange.sendResponseHeaders(status, body.length);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(body);
			}
		});
		this.server.start();
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
		this.server.stop(0);
	}

}
