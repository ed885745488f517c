package dev.retry.operations;

import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.autoconfigure.RetryAutoConfiguration;
import dev.retry.time.ManualClock;

import org.springframework.context.annotation.AnnotationConfigApplicationContext;

/**
 * Runs in a class loader without Reactor (see {@link RetryOperationsWithoutReactorTests}): an
 * application with the starter makes synchronous and asynchronous programmatic calls.
 */
public final class WithoutReactor {

	private WithoutReactor() {
	}

	public static String run() throws Exception {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext()) {
			context.registerBean(ManualClock.class);
			context.register(RetryAutoConfiguration.class);
			context.refresh();
			RetryOperations operations = context.getBean(Retries.class).policy("network").named("Inventory.stock");
			AtomicInteger calls = new AtomicInteger();
			String answer = operations.get(() -> {
				if (calls.incrementAndGet() < 3) {
					throw new UncheckedIOException(new ConnectException("refused"));
				}
				return "answer " + calls.get();
			});
			String later = operations.getAsync(() -> java.util.concurrent.CompletableFuture.completedFuture("later")).get();
			return answer + ", " + later;
		}
	}

}
