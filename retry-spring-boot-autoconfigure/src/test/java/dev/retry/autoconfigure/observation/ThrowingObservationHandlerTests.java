package dev.retry.autoconfigure.observation;

import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.backoff.Jitter;
import dev.retry.execution.RetryExecutor;
import dev.retry.execution.RetryRuntime;
import dev.retry.policy.RetryPolicy;
import dev.retry.time.ManualClock;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An observation handler that throws (a broken tracing bridge) must not leave the call's
 * observation, or its MDC fields, current on the thread: what a {@code CallObserver} throws never
 * reaches the call, and whatever runs next on a pooled thread must not find the ended call as its
 * parent.
 */
class ThrowingObservationHandlerTests {

	private final ObservationRegistry registry = ObservationRegistry.create();

	private final ManualClock clock = new ManualClock();

	@AfterEach
	void clearThread() {
		Observation.Scope leaked = this.registry.getCurrentObservationScope();
		if (leaked != null) {
			leaked.reset();
		}
		MDC.clear();
	}

	private RetryExecutor executor() {
		return RetryExecutor.builder("Inventory.stock",
				RetryPolicy.builder("network").jitter(Jitter.NONE).maxAttempts(3).build())
			.runtime(RetryRuntime.defaults()
				.withSleeper(this.clock)
				.withObserver(new ObservationCallObserver(this.registry)))
			.build();
	}

	@Test
	void aHandlerThatThrowsWhenAScopeOpensLeavesNothingCurrentOnTheThread() throws Throwable {
		this.registry.observationConfig().observationHandler(new ThrowingHandler(true, false));
		RetryExecutor executor = RetryExecutor.builder("Inventory.stock", RetryPolicy.builder("network").build())
			.runtime(RetryRuntime.defaults().withObserver(new ObservationCallObserver(this.registry)))
			.build();

		assertThat(executor.get(() -> "ok")).isEqualTo("ok");

		// Whatever runs next on this (pool) thread must not find the ended retry.call as its parent.
		assertThat(this.registry.getCurrentObservation()).as("observation left current after the call").isNull();
	}

	@Test
	void aHandlerThatThrowsWhenAScopeClosesLeavesNothingCurrentOnTheThread() throws Throwable {
		this.registry.observationConfig().observationHandler(new ThrowingHandler(false, true));
		AtomicInteger calls = new AtomicInteger();

		String answer = executor().get(() -> {
			if (calls.incrementAndGet() < 3) {
				throw new ConnectException("refused");
			}
			return "ok";
		});

		assertThat(answer).isEqualTo("ok");
		assertThat(calls).hasValue(3);
		assertThat(this.registry.getCurrentObservation()).as("observation left current after the call").isNull();
		assertThat(MDC.getCopyOfContextMap()).as("MDC after the call").isNullOrEmpty();
	}

	@Test
	void anOuterObservationIsCurrentAgainAfterTheCallWhateverTheHandlersThrow() throws Throwable {
		this.registry.observationConfig().observationHandler(new ThrowingHandler(true, true));
		Observation outer = Observation.start("http.server.requests", this.registry);
		List<Object> seenInside = new java.util.ArrayList<>();

		try (Observation.Scope scope = outer.openScope()) {
			String answer = executor().get(() -> {
				seenInside.add(this.registry.getCurrentObservation());
				return "ok";
			});
			assertThat(answer).isEqualTo("ok");
			assertThat(this.registry.getCurrentObservation()).as("current after the call").isSameAs(outer);
		}
		finally {
			outer.stop();
		}
		assertThat(seenInside).hasSize(1);
		assertThat(this.registry.getCurrentObservation()).isNull();
	}

	@Test
	void theMdcFieldsOfAnAttemptAreRemovedWhenItsScopeCannotOpen() throws Throwable {
		this.registry.observationConfig().observationHandler(new ThrowingHandler(true, false));

		assertThat(executor().get(() -> "ok")).isEqualTo("ok");

		assertThat(MDC.get("retry.method")).isNull();
		assertThat(MDC.get("retry.attempt")).isNull();
	}

	/** A handler of the retry's observations that throws when a scope opens, closes, or both. */
	private static final class ThrowingHandler implements ObservationHandler<Observation.Context> {

		private final boolean onOpen;

		private final boolean onClose;

		ThrowingHandler(boolean onOpen, boolean onClose) {
			this.onOpen = onOpen;
			this.onClose = onClose;
		}

		@Override
		public boolean supportsContext(Observation.Context context) {
			return context.getName().startsWith("retry.");
		}

		@Override
		public void onScopeOpened(Observation.Context context) {
			if (this.onOpen) {
				throw new IllegalStateException("tracing bridge broken");
			}
		}

		@Override
		public void onScopeClosed(Observation.Context context) {
			if (this.onClose) {
				throw new IllegalStateException("tracing bridge broken");
			}
		}

	}

}
