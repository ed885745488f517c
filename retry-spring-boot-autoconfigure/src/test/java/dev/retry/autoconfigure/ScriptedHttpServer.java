package dev.retry.autoconfigure;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

/**
 * A real HTTP server on a random local port that answers each path with a scripted sequence of
 * statuses (the last one repeats), and counts the requests it received.
 */
public final class ScriptedHttpServer implements AutoCloseable {

	private final HttpServer server;

	private final Map<String, Queue<Integer>> scripts = new ConcurrentHashMap<>();

	private final Map<String, Integer> last = new ConcurrentHashMap<>();

	private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();

	private final Map<String, Map<String, String>> headers = new ConcurrentHashMap<>();

	ScriptedHttpServer() throws IOException {
		this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		this.server.createContext("/", (exchange) -> {
			String path = exchange.getRequestURI().getPath();
			this.requests.computeIfAbsent(path, (p) -> new AtomicInteger()).incrementAndGet();
			Queue<Integer> script = this.scripts.get(path);
			Integer next = (script != null) ? script.poll() : null;
			int status = (next != null) ? next : this.last.getOrDefault(path, 404);
			this.last.put(path, status);
			byte[] body = ((status < 300) ? "stock of " + path : "status " + status).getBytes(StandardCharsets.UTF_8);
			this.headers.getOrDefault(path, Map.of()).forEach(exchange.getResponseHeaders()::add);
			exchange.sendResponseHeaders(status, body.length);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(body);
			}
		});
		this.server.start();
	}

	/** A started server, for a static field of a test class. */
	public static ScriptedHttpServer started() {
		try {
			return new ScriptedHttpServer();
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	/** Answers the path with these statuses in turn, then the last one forever. */
	public void script(String path, Integer... statuses) {
		this.scripts.put(path, new ConcurrentLinkedQueue<>(java.util.List.of(statuses)));
		this.last.remove(path);
		this.requests.remove(path);
		this.headers.remove(path);
	}

	/** Adds a header to every response of the path, until it is scripted again. */
	void header(String path, String name, String value) {
		this.headers.computeIfAbsent(path, (p) -> new ConcurrentHashMap<>()).put(name, value);
	}

	public int requests(String path) {
		AtomicInteger count = this.requests.get(path);
		return (count != null) ? count.get() : 0;
	}

	public String url() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort();
	}

	/**
	 * A {@link org.springframework.web.client.RestClient} on the JDK's HTTP client, which retries
	 * nothing by itself (Apache HttpClient 5, also on the test classpath, would re-send 503s and
	 * wait out Retry-After on its own, hiding what the starter does).
	 */
	static org.springframework.web.client.RestClient restClient(String baseUrl) {
		return org.springframework.web.client.RestClient.builder()
			.baseUrl(baseUrl)
			.requestFactory(new org.springframework.http.client.JdkClientHttpRequestFactory())
			.build();
	}

	/** A local port nothing listens on, so connecting is refused. */
	static int closedPort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	@Override
	public void close() {
		this.server.stop(0);
	}

}
