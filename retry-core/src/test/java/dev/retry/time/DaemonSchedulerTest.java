package dev.retry.time;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.retry.execution.RetryRuntime;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The scheduler's threads. The JVM-wide one ({@link RetryRuntime#sharedScheduler()}: timeouts moved
 * there as an application closes, the watchdog of a context whose scheduler was replaced) outlives
 * every application context, so it must hold no thread while it has nothing to run: a closed
 * application leaves no thread behind.
 */
class DaemonSchedulerTest {

	@Test
	void idleThreadsStopAndATaskStillRunsAfterThey() throws Exception {
		try (DaemonScheduler scheduler = new DaemonScheduler(2, Duration.ofMillis(50))) {
			CountDownLatch first = new CountDownLatch(1);
			scheduler.schedule(first::countDown, 0);
			assertThat(first.await(2, TimeUnit.SECONDS)).isTrue();

			await().atMost(Duration.ofSeconds(2)).until(() -> scheduler.getThreadCount() == 0);

			CountDownLatch second = new CountDownLatch(1);
			scheduler.schedule(second::countDown, 0);
			assertThat(second.await(2, TimeUnit.SECONDS)).isTrue();
		}
	}

	@Test
	void aTimerLongerThanTheIdleTimeoutStillFires() throws Exception {
		try (DaemonScheduler scheduler = new DaemonScheduler(2, Duration.ofMillis(20))) {
			CountDownLatch fired = new CountDownLatch(1);
			long start = System.nanoTime();

			scheduler.schedule(fired::countDown, Duration.ofMillis(300).toNanos());

			assertThat(fired.await(3, TimeUnit.SECONDS)).isTrue();
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
		}
	}

	@Test
	void theJvmWideSchedulerHoldsNoThreadOnceItsTimersRan() throws Exception {
		CountDownLatch fired = new CountDownLatch(1);
		RetryRuntime.sharedScheduler().schedule(() -> {
			Thread.currentThread().setName(Thread.currentThread().getName() + "-shared-under-test");
			fired.countDown();
		}, Duration.ofMillis(10).toNanos());
		assertThat(fired.await(2, TimeUnit.SECONDS)).isTrue();

		await().atMost(Duration.ofSeconds(5))
			.until(() -> Thread.getAllStackTraces()
				.keySet()
				.stream()
				.noneMatch((thread) -> thread.getName().endsWith("-shared-under-test")));
	}

}
