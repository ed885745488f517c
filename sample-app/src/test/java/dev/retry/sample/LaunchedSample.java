package dev.retry.sample;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.core.ConditionTimeoutException;

import static org.awaitility.Awaitility.await;

/**
 * The packaged sample started in a JVM of its own, on a port it picks itself ({@code server.port=0}, read back
 * from its log, so no other process can take the port between choosing and binding it). Waiting for it fails
 * at once, with its log, when the JVM exits, and with the end of its log when it does not become healthy in time.
 */
final class LaunchedSample {

	private static final Pattern STARTED = Pattern.compile("started on port (\\d+)");

	private static final Duration START = Duration.ofSeconds(120);

	private final Process process;

	private final Path log;

	private final String base;

	private LaunchedSample(Process process, Path log, String base) {
		this.process = process;
		this.log = log;
		this.base = base;
	}

	/**
	 * Starts {@code java [jvmArgs] -jar sample.jar --server.port=0 [args]} with its output in {@code log}. Returns
	 * without waiting: several can start side by side, then each is {@link #awaitHealthy(HttpClient) awaited}.
	 */
	static LaunchedSample start(List<String> jvmArgs, List<String> args, Path log) throws IOException {
		List<String> command = new ArrayList<>();
		command.add(ProcessHandle.current().info().command().orElse("java"));
		command.add("-Xmx256m");
		command.addAll(jvmArgs);
		command.add("-jar");
		command.add(new File(System.getProperty("sample.jar")).getAbsolutePath());
		command.add("--server.port=0");
		command.addAll(args);
		Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		return new LaunchedSample(process, log, null);
	}

	/** Waits until the sample has bound its port and answers {@code /actuator/health} with 200; its address. */
	LaunchedSample awaitHealthy(HttpClient http) {
		AtomicInteger port = new AtomicInteger();
		String what = "the sample logging its port";
		try {
			await().atMost(START).pollInterval(Duration.ofMillis(100)).until(() -> {
				exitedOrNot();
				Matcher started = STARTED.matcher(log());
				if (started.find()) {
					port.set(Integer.parseInt(started.group(1)));
				}
				return port.get() != 0;
			});
			LaunchedSample launched = new LaunchedSample(this.process, this.log, "http://127.0.0.1:" + port.get());
			what = "GET " + launched.base + "/actuator/health answering 200";
			await().atMost(START).pollInterval(Duration.ofMillis(250)).until(() -> {
				exitedOrNot();
				return status(http, launched.base + "/actuator/health") == 200;
			});
			return launched;
		}
		catch (ConditionTimeoutException ex) {
			throw new AssertionError("Waited " + START.toSeconds() + " s for " + what + "; the end of its log:\n"
					+ tail(), ex);
		}
	}

	/** The base address, {@code http://127.0.0.1:port}, once {@link #awaitHealthy(HttpClient) awaited}. */
	String base() {
		return this.base;
	}

	Process process() {
		return this.process;
	}

	/** All the sample has logged so far. */
	String log() {
		try {
			return Files.readString(this.log, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	void stop() {
		this.process.destroy();
	}

	private void exitedOrNot() {
		if (!this.process.isAlive()) {
			throw new AssertionError("The sample exited with " + this.process.exitValue() + "; its log:\n" + tail());
		}
	}

	private String tail() {
		String all = log();
		return all.substring(Math.max(0, all.length() - 6000));
	}

	/** The status of a GET, or -1 while nothing answers. */
	static int status(HttpClient http, String url) {
		try {
			return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
				.statusCode();
		}
		catch (IOException ex) {
			return -1;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return -1;
		}
	}

	/** A port nothing listens on now, for a server the test starts itself (redis-server). */
	static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
