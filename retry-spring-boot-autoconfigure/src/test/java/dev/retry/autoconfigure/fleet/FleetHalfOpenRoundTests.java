package dev.retry.autoconfigure.fleet;

import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import dev.retry.CircuitBreakerOpenException;
import dev.retry.breaker.State;
import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * A half-open round across the fleet: exactly {@code half-open-calls} trials, whatever happens to
 * them (ignored, cancelled), wherever an instance joins it, and each trial waits for Redis at most
 * {@code operation-timeout}. Where the timeout is not what a test is about, it is a second: a
 * loaded machine must not turn a fleet decision into a local one.
 */
class FleetHalfOpenRoundTests extends FleetInstances {

	private static final String PATIENT = "retry.fleet.operation-timeout=1s";

	private static final String KEY = "retry:shop:breaker:{inventory}";

	/**
	 * A trial whose failure is ignored (ignore-on, a 4xx) is no evidence either way: its permit goes
	 * back, locally (catalog, of scope local) and across the fleet (inventory) alike.
	 */
	@Test
	void anIgnoredTrialFailureLetsAnotherTrialThroughAcrossTheFleet() {
		String[] config = { PATIENT, "retry.circuit-breakers.inventory.half-open-calls=1",
				"retry.circuit-breakers.inventory.ignore-on=java.lang.IllegalArgumentException",
				"retry.circuit-breakers.catalog.open-duration=1s", "retry.circuit-breakers.catalog.half-open-calls=1",
				"retry.circuit-breakers.catalog.half-open-max-wait=10s",
				"retry.circuit-breakers.catalog.ignore-on=java.lang.IllegalArgumentException" };
		ConfigurableApplicationContext a = instance(config);
		Downstream downstream = a.getBean(Downstream.class);

		// The same sequence on the local breaker (catalog) and the shared one (inventory).
		for (int i = 0; i < 3; i++) {
			assertThat(catchThrowable(() -> downstream.catalog("fail"))).isInstanceOf(ConnectException.class);
		}
		failThreeTimes(a);
		await().atMost(Duration.ofSeconds(3))
			.until(() -> breaker(a, "catalog").untilHalfOpen().isZero() && breaker(a, "inventory").untilHalfOpen().isZero());

		assertThat(catchThrowable(() -> downstream.catalog("ignored"))).isInstanceOf(IllegalArgumentException.class);
		assertThat(catchThrowable(() -> downstream.catalog("ok"))).as("local breaker: the next call is a trial")
			.isNull();
		assertThat(breaker(a, "catalog").getState()).isEqualTo(State.CLOSED);

		await().atMost(Duration.ofSeconds(3)).until(() -> fleet(a).isLinked());
		assertThat(catchThrowable(() -> downstream.inventory("ignored"))).isInstanceOf(IllegalArgumentException.class);
		Throwable next = catchThrowable(() -> downstream.inventory("ok"));
		assertThat(fleet(a).isLinked()).as("Redis answered every trial question in time").isTrue();
		assertThat(next).as("shared breaker: the next call is a trial").isNull();
		assertThat(breaker(a, "inventory").getState()).isEqualTo(State.CLOSED);
	}

	/**
	 * The heartbeat reads the breaker's key "so that a missed message is made up for within a
	 * second": also on an instance whose breaker is half-open (its trial refused: the round's trials
	 * were taken elsewhere) when the fleet closed the breaker.
	 */
	@Test
	void aCloseMissedWhileHalfOpenIsMadeUpByTheHeartbeat() {
		ConfigurableApplicationContext a = instance(PATIENT);
		Downstream downstream = a.getBean(Downstream.class);
		dev.retry.breaker.CircuitBreaker breaker = breaker(a, "inventory");
		failThreeTimes(a);
		StringRedisTemplate redis = a.getBean(StringRedisTemplate.class);
		await().atMost(Duration.ofSeconds(2)).until(() -> redis.opsForHash().get(KEY, "version") != null);
		long round = Long.parseLong((String) redis.opsForHash().get(KEY, "version"));
		await().atMost(Duration.ofSeconds(3)).until(() -> breaker.untilHalfOpen().isZero());

		// Another instance took this round's two trials...
		redis.opsForHash().put(KEY, "trials", "2");
		redis.opsForHash().put(KEY, "trialsAt", Long.toString(System.currentTimeMillis() * 1000));
		assertThat(catchThrowable(() -> downstream.inventory("ok"))).isInstanceOf(CircuitBreakerOpenException.class);
		assertThat(breaker.getState()).isEqualTo(State.HALF_OPEN);
		// ...they succeeded and it closed the breaker for the fleet; its message did not reach this
		// instance (a subscription being re-established): only the breaker's key tells it.
		redis.opsForHash().putAll(KEY, java.util.Map.of("version", Long.toString(round + 1), "state", "CLOSED",
				"forced", "0", "hand", "0", "openFor", "0", "origin", "otherhost-1-abcd",
				"reason", "2+trial+call%28s%29+succeeded"));

		await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> assertThat(breaker.getState())
			.as("a's breaker 3 s after the fleet closed it (heartbeat every second)")
			.isEqualTo(State.CLOSED));
	}

	/**
	 * "An instance that starts during an outage starts with the fleet's current state" and "exactly
	 * half-open-calls trial calls pass across the whole fleet": an instance starting (or coming back
	 * from a partition) once the open state's time is up joins the fleet's half-open round.
	 */
	@Test
	void anInstanceStartingWhileTheFleetIsHalfOpenLetsNoCallPastTheRoundsTrials() throws Exception {
		ConfigurableApplicationContext a = instance(PATIENT);
		Downstream downstream = a.getBean(Downstream.class);
		failThreeTimes(a);
		await().atMost(Duration.ofSeconds(3)).until(() -> breaker(a, "inventory").untilHalfOpen().isZero());
		CountDownLatch release = new CountDownLatch(1);
		downstream.holdUntil(release);
		ExecutorService trials = Executors.newFixedThreadPool(2);
		try {
			for (int i = 0; i < 2; i++) {
				trials.submit(() -> downstream.inventory("hold"));
			}
			await().atMost(Duration.ofSeconds(3)).until(() -> downstream.held() == 2);
			assertThat(breaker(a, "inventory").getState()).isEqualTo(State.HALF_OPEN);

			ConfigurableApplicationContext c = instance(PATIENT);
			Downstream late = c.getBean(Downstream.class);

			assertThat(catchThrowable(() -> late.inventory("ok")))
				.as("a call on an instance started while the fleet's 2 trials run (its breaker: %s)",
						breaker(c, "inventory").getState())
				.isInstanceOf(CircuitBreakerOpenException.class);
			assertThat(late.held()).isZero();

			release.countDown();
			await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(
					List.of(breaker(a, "inventory").getState(), breaker(c, "inventory").getState()))
				.as("both trials succeeded")
				.containsOnly(State.CLOSED));
		}
		finally {
			release.countDown();
			trials.shutdown();
		}
	}

	/**
	 * Redis restarts (without persistence) while the fleet's round runs, one trial on each of two
	 * instances: the round's key is gone, so the fleet cannot count the trials' successes. As when
	 * Redis does not answer, the trials each instance runs decide there: the breaker closes once
	 * they succeed, rather than staying half-open, rejecting calls, until half-open-max-wait (10 s)
	 * re-opens it.
	 */
	@Test
	void aRoundWhoseRedisRestartedIsSettledByEachInstancesTrials() throws Exception {
		ConfigurableApplicationContext a = instance(PATIENT);
		ConfigurableApplicationContext b = instance(PATIENT);
		failThreeTimes(a);
		await().atMost(Duration.ofSeconds(3)).until(() -> breaker(a, "inventory").untilHalfOpen().isZero()
				&& breaker(b, "inventory").getState() == State.OPEN && breaker(b, "inventory").untilHalfOpen().isZero());
		CountDownLatch release = new CountDownLatch(1);
		List<Downstream> downstreams = List.of(a.getBean(Downstream.class), b.getBean(Downstream.class));
		ExecutorService trials = Executors.newFixedThreadPool(2);
		try {
			for (Downstream downstream : downstreams) {
				downstream.holdUntil(release);
				trials.submit(() -> downstream.inventory("hold"));
			}
			await().atMost(Duration.ofSeconds(3)).until(() -> downstreams.get(0).held() == 1 && downstreams.get(1).held() == 1);
			StringRedisTemplate redis = a.getBean(StringRedisTemplate.class);
			assertThat(redis.opsForHash().get(KEY, "trials")).as("the round's permits, in Redis").isEqualTo("2");

			this.redis.kill();
			this.redis.startProcess();
			// Both heartbeats have reached the new Redis: the links are back, the round's key is not.
			await().atMost(Duration.ofSeconds(5)).until(() -> fleet(a).isLinked() && fleet(b).isLinked()
					&& Long.valueOf(2).equals(redis.opsForZSet().zCard("retry:shop:members")));
			assertThat(redis.hasKey(KEY)).isFalse();
			release.countDown();

			for (int i = 0; i < 2; i++) {
				Downstream downstream = downstreams.get(i);
				dev.retry.breaker.CircuitBreaker breaker = breaker(List.of(a, b).get(i), "inventory");
				await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
					catchThrowable(() -> downstream.inventory("ok"));
					assertThat(breaker.getState())
						.as("with calls coming, 3 s after each instance's trial succeeded, Redis having restarted under them")
						.isEqualTo(State.CLOSED);
				});
			}
		}
		finally {
			release.countDown();
			trials.shutdown();
		}
	}

	/**
	 * "No call waits more than operation-timeout (100ms) because of Redis": a half-open trial asks
	 * Redis once on its caller's thread (for its permit); its success is told to the fleet without
	 * the caller waiting. With Redis answering in 70 ms, one trial call waits about 70 ms.
	 */
	@Test
	void aHalfOpenTrialWaitsNoLongerThanTheOperationTimeoutForRedis() throws Exception {
		try (SlowProxy proxy = new SlowProxy(this.redis.port, 70)) {
			ConfigurableApplicationContext a = started(new SpringApplicationBuilder(Instance.class)
				.web(WebApplicationType.NONE)
				.properties(base())
				.properties("spring.data.redis.port=" + proxy.port()));
			await().atMost(Duration.ofSeconds(5)).until(() -> fleet(a).isLinked());
			Downstream downstream = a.getBean(Downstream.class);
			failThreeTimes(a);
			await().atMost(Duration.ofSeconds(3)).until(() -> breaker(a, "inventory").untilHalfOpen().isZero());
			await().atMost(Duration.ofSeconds(3)).until(() -> fleet(a).isLinked());

			long start = System.nanoTime();
			assertThat(downstream.inventory("ok")).isEqualTo("ok");
			Duration took = Duration.ofNanos(System.nanoTime() - start);

			assertThat(fleet(a).isLinked()).as("every Redis operation answered within the timeout").isTrue();
			assertThat(took).as("one trial call, Redis answering in 70 ms, operation-timeout 100 ms")
				.isLessThan(Duration.ofMillis(100 + 25));
		}
	}

	/** A TCP proxy in front of redis-server that holds every request for a fixed delay (order kept). */
	static final class SlowProxy implements AutoCloseable {

		private final java.net.ServerSocket server;

		private final int target;

		private final long delayMillis;

		private final List<java.net.Socket> sockets = new java.util.concurrent.CopyOnWriteArrayList<>();

		SlowProxy(int target, long delayMillis) throws java.io.IOException {
			this.server = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
			this.target = target;
			this.delayMillis = delayMillis;
			Thread acceptor = new Thread(this::accept, "slow-proxy");
			acceptor.setDaemon(true);
			acceptor.start();
		}

		int port() {
			return this.server.getLocalPort();
		}

		private void accept() {
			while (!this.server.isClosed()) {
				try {
					java.net.Socket client = this.server.accept();
					java.net.Socket upstream = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), this.target);
					client.setTcpNoDelay(true);
					upstream.setTcpNoDelay(true);
					this.sockets.add(client);
					this.sockets.add(upstream);
					pump(client, upstream, this.delayMillis);
					pump(upstream, client, 0);
				}
				catch (java.io.IOException ex) {
					return;
				}
			}
		}

		private static void pump(java.net.Socket from, java.net.Socket to, long delayMillis) {
			java.util.concurrent.BlockingQueue<Object[]> queue = new java.util.concurrent.LinkedBlockingQueue<>();
			Thread reader = new Thread(() -> {
				byte[] buffer = new byte[65536];
				try {
					java.io.InputStream in = from.getInputStream();
					int read;
					while ((read = in.read(buffer)) > 0) {
						queue.put(new Object[] { System.nanoTime() + delayMillis * 1_000_000L,
								java.util.Arrays.copyOf(buffer, read) });
					}
				}
				catch (Exception ex) {
					// closed
				}
				queue.add(new Object[] { 0L, null });
			}, "slow-proxy-read");
			Thread writer = new Thread(() -> {
				try {
					java.io.OutputStream out = to.getOutputStream();
					while (true) {
						Object[] chunk = queue.take();
						if (chunk[1] == null) {
							to.close();
							return;
						}
						long wait = (long) chunk[0] - System.nanoTime();
						if (wait > 0) {
							java.util.concurrent.TimeUnit.NANOSECONDS.sleep(wait);
						}
						out.write((byte[]) chunk[1]);
						out.flush();
					}
				}
				catch (Exception ex) {
					// closed
				}
			}, "slow-proxy-write");
			reader.setDaemon(true);
			writer.setDaemon(true);
			reader.start();
			writer.start();
		}

		@Override
		public void close() throws java.io.IOException {
			this.server.close();
			for (java.net.Socket socket : this.sockets) {
				socket.close();
			}
		}

	}

}
