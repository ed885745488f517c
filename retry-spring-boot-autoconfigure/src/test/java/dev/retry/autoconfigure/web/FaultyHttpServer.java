package dev.retry.autoconfigure.web;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP/1.1 server on a random local port that misbehaves the way real servers do, chosen
 * by the first path segment: {@code /unavailable} answers 503, {@code /bad} 400, {@code /silent}
 * reads the request and never answers, {@code /cut} sends a 200 with {@code Content-Length: 1000}
 * and closes after 100 bytes, {@code /close} closes without answering, {@code /first-silent} never
 * answers its first request and answers the others at once, anything else answers 200. Counts the
 * requests per path (without its query), and the unanswered requests whose client hung up.
 *
 * <p>Which request of {@code /first-silent} is the first is the order they arrive in, which a busy
 * machine may turn around (a hedge's request overtaking its attempt's): a client that knows which
 * of its requests it wants unanswered says so with the query {@code ?silent}, the others with
 * {@code ?answer}.
 */
public final class FaultyHttpServer implements AutoCloseable {

	private final ServerSocket server;

	private final ExecutorService connections = Executors.newCachedThreadPool((task) -> {
		Thread thread = new Thread(task, "faulty-http");
		thread.setDaemon(true);
		return thread;
	});

	private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();

	private final Map<String, AtomicInteger> hangUps = new ConcurrentHashMap<>();

	private final List<Socket> open = new CopyOnWriteArrayList<>();

	public FaultyHttpServer() throws IOException {
		this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		this.connections.execute(this::accept);
	}

	/** A started server, for a static field of a test class. */
	public static FaultyHttpServer started() {
		try {
			return new FaultyHttpServer();
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	private void accept() {
		while (!this.server.isClosed()) {
			try {
				Socket socket = this.server.accept();
				this.open.add(socket);
				this.connections.execute(() -> serve(socket));
			}
			catch (IOException ex) {
				return;
			}
		}
	}

	private void serve(Socket socket) {
		try (socket) {
			BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
			String requestLine = in.readLine();
			if (requestLine == null) {
				return;
			}
			for (String header = in.readLine(); header != null && !header.isEmpty(); header = in.readLine()) {
				// Headers are read and ignored.
			}
			String target = requestLine.split(" ")[1];
			int queryStart = target.indexOf('?');
			String path = (queryStart < 0) ? target : target.substring(0, queryStart);
			String query = (queryStart < 0) ? "" : target.substring(queryStart + 1);
			int request = this.requests.computeIfAbsent(path, (p) -> new AtomicInteger()).incrementAndGet();
			OutputStream out = socket.getOutputStream();
			String mode = path.split("/")[1];
			if (mode.equals("first-silent")) {
				boolean silent = query.equals("silent") || (!query.equals("answer") && request == 1);
				mode = silent ? "silent" : "ok";
			}
			switch (mode) {
				case "unavailable" -> answer(out, "503 Service Unavailable", "busy");
				case "bad" -> answer(out, "400 Bad Request", "no such sku");
				case "silent" -> {
					while (in.read() >= 0) {
						// Never answers; the client gives up or the server closes.
					}
					if (!this.server.isClosed()) {
						this.hangUps.computeIfAbsent(path, (p) -> new AtomicInteger()).incrementAndGet();
					}
				}
				case "cut" -> {
					out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n"
							+ "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
					out.write(new byte[100]);
					out.flush();
				}
				case "close" -> {
					// Closes without a byte of answer.
				}
				default -> answer(out, "200 OK", "12 in stock");
			}
		}
		catch (IOException ex) {
			// The client went away.
		}
	}

	private static void answer(OutputStream out, String status, String body) throws IOException {
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
		out.write(("HTTP/1.1 " + status + "\r\nContent-Type: text/plain\r\nContent-Length: " + bytes.length
				+ "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
		out.write(bytes);
		out.flush();
	}

	public int requests(String path) {
		AtomicInteger count = this.requests.get(path);
		return (count != null) ? count.get() : 0;
	}

	/** Unanswered requests of the path whose client closed the connection (it gave up, or was cancelled). */
	public int hangUps(String path) {
		AtomicInteger count = this.hangUps.get(path);
		return (count != null) ? count.get() : 0;
	}

	public String url(String path) {
		return "http://127.0.0.1:" + this.server.getLocalPort() + path;
	}

	@Override
	public void close() throws IOException {
		this.server.close();
		for (Socket socket : this.open) {
			socket.close();
		}
		this.connections.shutdownNow();
	}

}
