package dev.retry.autoconfigure.fleet;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy in front of redis-server for one instance: {@link #cut()} partitions that instance
 * from Redis (its connections are closed and new ones refused) while the others go on;
 * {@link #restore()} ends the partition.
 */
final class CuttableProxy implements AutoCloseable {

	private final ServerSocket server;

	private final int target;

	private final List<Socket> sockets = new CopyOnWriteArrayList<>();

	private volatile boolean cut;

	CuttableProxy(int target) throws IOException {
		this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		this.target = target;
		Thread acceptor = new Thread(this::accept, "cuttable-proxy");
		acceptor.setDaemon(true);
		acceptor.start();
	}

	int port() {
		return this.server.getLocalPort();
	}

	void cut() {
		this.cut = true;
		closeAll();
	}

	void restore() {
		this.cut = false;
	}

	private void accept() {
		while (!this.server.isClosed()) {
			try {
				Socket client = this.server.accept();
				if (this.cut) {
					client.close();
					continue;
				}
				Socket upstream = new Socket(InetAddress.getLoopbackAddress(), this.target);
				this.sockets.add(client);
				this.sockets.add(upstream);
				pump(client, upstream);
				pump(upstream, client);
			}
			catch (IOException ex) {
				// Closed, or Redis not there: the client sees a closed connection.
			}
		}
	}

	private static void pump(Socket from, Socket to) {
		Thread pump = new Thread(() -> {
			byte[] buffer = new byte[65536];
			try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
				int read;
				while ((read = in.read(buffer)) > 0) {
					out.write(buffer, 0, read);
					out.flush();
				}
			}
			catch (IOException ex) {
				// Closed.
			}
			finally {
				try {
					from.close();
					to.close();
				}
				catch (IOException ex) {
					// Closed already.
				}
			}
		}, "cuttable-proxy-pump");
		pump.setDaemon(true);
		pump.start();
	}

	private void closeAll() {
		for (Socket socket : this.sockets) {
			try {
				socket.close();
			}
			catch (IOException ex) {
				// Closed already.
			}
		}
		this.sockets.clear();
	}

	@Override
	public void close() throws IOException {
		this.server.close();
		closeAll();
	}

}
