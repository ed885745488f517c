package dev.retry.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Deque;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

/**
 * A real HTTP server on a random port that answers from a script, for the guide's examples:
 * {@code Downstream.answering(503, 503, 200)} answers two 503s, then 200 with {@code body} for
 * every request after.
 */
public final class Downstream implements AutoCloseable {

	private final HttpServer server;

	private final Deque<Integer> script = new ConcurrentLinkedDeque<>();

	private final AtomicInteger requests = new AtomicInteger();

	private volatile int last = 200;

	private final Deque<String> bodies = new ConcurrentLinkedDeque<>();

	private volatile String body = "";

	private volatile String retryAfter;

	private Downstream() {
		try {
			this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		this.server.createContext("/", (exchange) -> {
			this.requests.incrementAndGet();
			Integer scripted = this.script.poll();
			int status = (scripted != null) ? scripted : this.last;
			String next = this.bodies.poll();
			String text = (next != null) ? next : this.body;
			byte[] answer = (status == 200) ? text.getBytes(StandardCharsets.UTF_8) : new byte[0];
			exchange.getResponseHeaders().add("Content-Type", text.startsWith("{") ? "application/json" : "text/plain");
			if (this.retryAfter != null && status != 200) {
				exchange.getResponseHeaders().add("Retry-After", this.retryAfter);
			}
			exchange.sendResponseHeaders(status, (answer.length == 0) ? -1 : answer.length);
			if (answer.length > 0) {
				exchange.getResponseBody().write(answer);
			}
			exchange.close();
		});
		this.server.start();
	}

	/** Answers the statuses in order, then the last one for every later request. */
	public static Downstream answering(int... statuses) {
		Downstream downstream = new Downstream();
		for (int status : statuses) {
			downstream.script.add(status);
		}
		downstream.last = statuses[statuses.length - 1];
		return downstream;
	}

	/** From now on, answers these statuses in order, then the last one for every later request. */
	public void script(int... statuses) {
		this.script.clear();
		for (int status : statuses) {
			this.script.add(status);
		}
		this.last = statuses[statuses.length - 1];
	}

	/** The body of each 200. */
	public Downstream withBody(String body) {
		this.body = body;
		return this;
	}

	/** The bodies of successive 200s; the last is repeated. */
	public Downstream withBodies(String... bodies) {
		for (String each : bodies) {
			this.bodies.add(each);
		}
		this.body = bodies[bodies.length - 1];
		return this;
	}

	/** A Retry-After header on every answer that is not a 200. */
	public Downstream withRetryAfter(String value) {
		this.retryAfter = value;
		return this;
	}

	public String url() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort();
	}

	public int requests() {
		return this.requests.get();
	}

	@Override
	public void close() {
		this.server.stop(0);
	}

}
