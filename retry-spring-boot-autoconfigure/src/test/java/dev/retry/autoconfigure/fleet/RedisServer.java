package dev.retry.autoconfigure.fleet;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Assumptions;

import static org.awaitility.Awaitility.await;

/**
 * A real {@code redis-server} (Debian package {@code redis-server}) on a random local port, started
 * and stopped by the tests. Without the binary the tests are skipped with the install hint, unless
 * {@code RETRY_REDIS_TESTS_REQUIRED=true} (CI), where they fail instead.
 */
final class RedisServer implements AutoCloseable {

	static final String HINT = "redis-server is not installed: apt-get install redis-server (Debian's 7.x) to run the fleet tests";

	private final String binary;

	final int port;

	private Process process;

	private RedisServer(String binary, int port) {
		this.binary = binary;
		this.port = port;
	}

	/** Starts one, or skips the test (fails it in CI) when the binary is missing. */
	static RedisServer start() {
		String binary = find();
		if (binary == null) {
			if ("true".equals(System.getenv("RETRY_REDIS_TESTS_REQUIRED"))) {
				throw new AssertionError(HINT);
			}
			Assumptions.abort(HINT);
		}
		RedisServer server = new RedisServer(binary, freePort());
		server.startProcess();
		return server;
	}

	private static String find() {
		for (String candidate : List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server")) {
			if (Files.isExecutable(Path.of(candidate))) {
				return candidate;
			}
		}
		return null;
	}

	/** Starts it again on the same port (after {@link #kill}). */
	void startProcess() {
		try {
			this.process = new ProcessBuilder(this.binary, "--port", Integer.toString(this.port), "--bind", "127.0.0.1",
					"--save", "", "--appendonly", "no", "--protected-mode", "no")
				.redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start();
		}
		catch (IOException ex) {
			throw new IllegalStateException("could not start " + this.binary, ex);
		}
		await().atMost(Duration.ofSeconds(10)).until(this::answers);
	}

	/** Kills it as a crash would. */
	void kill() {
		this.process.destroyForcibly();
		try {
			this.process.waitFor();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** Freezes it (SIGSTOP): connections stay open and nothing is answered, as with a hung server. */
	void freeze() {
		signal("-STOP");
	}

	/** Lets a frozen server go on (SIGCONT). */
	void thaw() {
		signal("-CONT");
	}

	private void signal(String signal) {
		try {
			int exit = new ProcessBuilder("kill", signal, Long.toString(this.process.pid())).start().waitFor();
			if (exit != 0) {
				throw new IllegalStateException("kill " + signal + " exited with " + exit);
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	boolean answers() {
		try (Socket socket = new Socket("127.0.0.1", this.port)) {
			socket.setSoTimeout(1000);
			OutputStream out = socket.getOutputStream();
			out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			byte[] reply = new byte[7];
			int read = in.read(reply);
			return read > 0 && new String(reply, 0, read, StandardCharsets.US_ASCII).startsWith("+PONG");
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public void close() {
		if (this.process != null) {
			this.process.destroy();
			try {
				this.process.waitFor();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

}
