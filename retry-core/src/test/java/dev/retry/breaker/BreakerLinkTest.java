package dev.retry.breaker;

import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.classify.HttpStatusResolver;
import dev.retry.time.ManualClock;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Breakers sharing their state through a {@link BreakerLink}: an in-memory fleet of three, whose
 * link hands each announcement to the others at once and counts trials in one place.
 */
class BreakerLinkTest {

	private final ManualClock clock = new ManualClock();

	private final Fleet fleet = new Fleet();

	private final List<String> heard = new CopyOnWriteArrayList<>();

	private final CircuitBreaker a = this.fleet.join("a", breaker("a"));

	private final CircuitBreaker b = this.fleet.join("b", breaker("b"));

	private final CircuitBreaker c = this.fleet.join("c", breaker("c"));

	private CircuitBreaker breaker(String instance) {
		CircuitBreakerConfig config = CircuitBreakerConfig.builder("inventory")
			.failureThreshold(3)
			.openDuration(Duration.ofSeconds(10))
			.halfOpenCalls(2)
			.build();
		return new CircuitBreaker(config, this.clock, HttpStatusResolver.NONE,
				List.of((name, from, to, reason) -> this.heard.add(instance + ": " + from + " -> " + to + ": " + reason)));
	}

	private static void fail(CircuitBreaker breaker) {
		CircuitBreaker.Phase admitted = breaker.tryAcquire();
		assertThat(admitted).isNotNull();
		breaker.onFailure(admitted, new ConnectException("refused"), 0);
	}

	@Test
	void oneInstanceOpeningOpensEveryInstanceUntilTheSameMoment() {
		fail(this.a);
		fail(this.a);
		fail(this.a);

		assertThat(List.of(this.a.getState(), this.b.getState(), this.c.getState())).containsOnly(State.OPEN);
		assertThat(this.b.untilHalfOpen()).isEqualTo(this.a.untilHalfOpen()).isEqualTo(Duration.ofSeconds(10));
		assertThat(this.b.getOpenUntil()).isEqualTo(this.a.getOpenUntil())
			.isEqualTo(this.clock.wallTime().toEpochMilli() + 10_000);
		assertThat(this.a.getOpenedBy()).isNull();
		assertThat(this.b.getOpenedBy()).isEqualTo("a");
		assertThat(this.heard).contains(
				"b: CLOSED -> OPEN: opened by a: 3 consecutive failures, last ConnectException: refused; half-open in 10s");
		assertThat(this.fleet.announcements).hasSize(1);
	}

	@Test
	void exactlyHalfOpenCallsTrialsPassAcrossTheFleetUnderManyThreads() throws Exception {
		fail(this.a);
		fail(this.a);
		fail(this.a);
		this.clock.advance(Duration.ofSeconds(10));

		AtomicInteger admitted = new AtomicInteger();
		ExecutorService pool = Executors.newFixedThreadPool(12);
		CountDownLatch start = new CountDownLatch(1);
		for (int i = 0; i < 60; i++) {
			CircuitBreaker breaker = List.of(this.a, this.b, this.c).get(i % 3);
			pool.execute(() -> {
				try {
					start.await();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				if (breaker.tryAcquire() != null) {
					admitted.incrementAndGet();
				}
			});
		}
		start.countDown();
		pool.shutdown();
		assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

		assertThat(admitted).hasValue(2);
		assertThat(this.a.getRejectedCount() + this.b.getRejectedCount() + this.c.getRejectedCount()).isEqualTo(58);
	}

	@Test
	void trialsSucceedingOnTwoInstancesCloseEveryInstance() {
		fail(this.a);
		fail(this.a);
		fail(this.a);
		this.clock.advance(Duration.ofSeconds(10));

		CircuitBreaker.Phase onA = this.a.tryAcquire();
		CircuitBreaker.Phase onB = this.b.tryAcquire();
		assertThat(this.c.tryAcquire()).as("the fleet's two trials are taken").isNull();
		this.a.onSuccess(onA, 0);
		assertThat(this.a.getState()).isEqualTo(State.HALF_OPEN);
		this.b.onSuccess(onB, 0);

		assertThat(List.of(this.a.getState(), this.b.getState(), this.c.getState())).containsOnly(State.CLOSED);
		assertThat(this.heard).contains("a: HALF_OPEN -> CLOSED: closed by b: 2 trial call(s) succeeded");
	}

	@Test
	void aFailedTrialReopensEveryInstance() {
		fail(this.a);
		fail(this.a);
		fail(this.a);
		this.clock.advance(Duration.ofSeconds(10));

		CircuitBreaker.Phase onC = this.c.tryAcquire();
		this.c.onFailure(onC, new ConnectException("still refused"), 0);

		assertThat(List.of(this.a.getState(), this.b.getState(), this.c.getState())).containsOnly(State.OPEN);
		assertThat(this.a.getOpenedBy()).isEqualTo("c");
		assertThat(this.a.untilHalfOpen()).isEqualTo(Duration.ofSeconds(10));
	}

	@Test
	void anOpenStateWhoseMomentHasPassedOrAnOlderOneIsNotTaken() {
		long now = this.clock.wallTime().toEpochMilli();
		assertThat(this.a.adopt(new BreakerLink.Change("inventory", State.OPEN, now - 1, false, "old news"), "x"))
			.isFalse();
		assertThat(this.a.getState()).isEqualTo(State.CLOSED);
		assertThat(this.a.adopt(new BreakerLink.Change("inventory", State.OPEN, now + 5000, false, "fresh"), "x"))
			.isTrue();
		assertThat(this.a.adopt(new BreakerLink.Change("inventory", State.OPEN, now + 1000, false, "older"), "y"))
			.isFalse();
		assertThat(this.a.getOpenedBy()).isEqualTo("x");
		assertThat(this.a.untilHalfOpen()).isEqualTo(Duration.ofSeconds(5));
		// A later moment extends the open state without telling listeners of a transition.
		int heard = this.heard.size();
		assertThat(this.a.adopt(new BreakerLink.Change("inventory", State.OPEN, now + 9000, false, "later"), "z"))
			.isTrue();
		assertThat(this.a.untilHalfOpen()).isEqualTo(Duration.ofSeconds(9));
		assertThat(this.heard).hasSize(heard);
	}

	@Test
	void aLinkThatCannotTellLeavesTheBreakerToDecideAlone() {
		CircuitBreaker alone = breaker("alone");
		alone.link(new BreakerLink() {
			@Override
			public boolean isShared() {
				return true;
			}

			@Override
			public void announce(CircuitBreaker breaker, Change change) {
				throw new IllegalStateException("Redis is down");
			}
		});
		fail(alone);
		fail(alone);
		fail(alone);
		assertThat(alone.getState()).isEqualTo(State.OPEN);
		this.clock.advance(Duration.ofSeconds(10));
		CircuitBreaker.Phase first = alone.tryAcquire();
		CircuitBreaker.Phase second = alone.tryAcquire();
		assertThat(alone.tryAcquire()).isNull();
		alone.onSuccess(first, 0);
		alone.onSuccess(second, 0);
		assertThat(alone.getState()).isEqualTo(State.CLOSED);
	}

	/** Three breakers of one name, each on its "instance", relaying to each other at once. */
	private static final class Fleet {

		final List<String> announcements = new CopyOnWriteArrayList<>();

		private final Map<String, CircuitBreaker> members = new ConcurrentHashMap<>();

		private final Map<Long, AtomicInteger> trials = new ConcurrentHashMap<>();

		private final Map<Long, AtomicInteger> successes = new ConcurrentHashMap<>();

		CircuitBreaker join(String instance, CircuitBreaker breaker) {
			this.members.put(instance, breaker);
			breaker.link(new BreakerLink() {
				@Override
				public boolean isShared() {
					return true;
				}

				@Override
				public void announce(CircuitBreaker from, Change change) {
					Fleet.this.announcements.add(instance + " " + change);
					Fleet.this.members.forEach((other, member) -> {
						if (!other.equals(instance)) {
							member.adopt(change, instance);
						}
					});
				}

				@Override
				public @Nullable Boolean acquireTrial(CircuitBreaker from, long round, int calls) {
					return Fleet.this.trials.computeIfAbsent(round, (r) -> new AtomicInteger()).incrementAndGet() <= calls;
				}

				@Override
				public int trialSucceeded(CircuitBreaker from, long round) {
					return Fleet.this.successes.computeIfAbsent(round, (r) -> new AtomicInteger()).incrementAndGet();
				}
			});
			return breaker;
		}

	}

}
