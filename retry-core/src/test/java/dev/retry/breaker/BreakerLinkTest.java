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
		// The time left travels, never a wall-clock instant: instances' clocks need not agree.
		assertThat(List.of(this.b.untilHalfOpen(), this.c.untilHalfOpen())).containsOnly(this.a.untilHalfOpen())
			.containsOnly(Duration.ofSeconds(10));
		assertThat(this.a.getOpenedBy()).isNull();
		assertThat(this.b.getOpenedBy()).isEqualTo("a");
		assertThat(this.heard).contains(
				"b: CLOSED -> OPEN: opened by a: 3 consecutive failures, last ConnectException: refused; half-open in 10s");
		assertThat(this.fleet.announcements).hasSize(1);
	}

	/**
	 * An open time from elsewhere too long for a clock to count in nanoseconds (a hostile or
	 * garbled message) never breaks the breaker: it opens, for as long as it can count.
	 */
	@Test
	void anOpenTimeTooLongToCountOpensTheBreakerWithoutOverflowing() {
		boolean changed = this.b.adopt(new BreakerLink.Change("inventory", State.OPEN, Duration.ofDays(365L * 1_000_000),
				false, false, "hostile"), "x");

		assertThat(changed).isTrue();
		assertThat(this.b.getState()).isEqualTo(State.OPEN);
		this.clock.advance(Duration.ofDays(365L * 50));
		assertThat(this.b.tryAcquire()).as("a call 50 years later").isNull();
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
	void anOpenStateWhoseTimeIsUpHalfOpensAtTheNextCallAndAnotherOpenStateExtendsWithoutATransition() {
		assertThat(this.a.adopt(change(State.OPEN, Duration.ofSeconds(5), false), "x")).isTrue();
		assertThat(this.a.getOpenedBy()).isEqualTo("x");
		assertThat(this.a.untilHalfOpen()).isEqualTo(Duration.ofSeconds(5));
		// Another open state (a trial failed elsewhere) extends it without telling listeners of a transition.
		int heard = this.heard.size();
		assertThat(this.a.adopt(change(State.OPEN, Duration.ofSeconds(9), false), "z")).isTrue();
		assertThat(this.a.untilHalfOpen()).isEqualTo(Duration.ofSeconds(9));
		assertThat(this.heard).hasSize(heard);

		// An instance joining while the fleet is half-open takes the open state whose time is up: its
		// next call is a trial of the fleet's round, not a call let through by a closed breaker.
		CircuitBreaker late = breaker("late");
		late.link(new BreakerLink() {
			@Override
			public boolean isShared() {
				return true;
			}

			@Override
			public long round(CircuitBreaker breaker) {
				return 7;
			}

			@Override
			public @Nullable Boolean acquireTrial(CircuitBreaker breaker, long round, int calls) {
				return round == 7 ? Boolean.FALSE : null;
			}
		});
		assertThat(late.adopt(change(State.OPEN, Duration.ofMillis(-250), false), "a")).isTrue();
		assertThat(late.untilHalfOpen()).isZero();
		assertThat(late.tryAcquire()).as("the round's trials are taken elsewhere").isNull();
		assertThat(late.getState()).isEqualTo(State.HALF_OPEN);
	}

	@Test
	void aBreakerForcedOpenHereTakesNoChangeOfTheFleetButAnOperatorsOne() {
		this.a.forceOpenHere();
		assertThat(this.fleet.announcements).as("a change here only is not announced").isEmpty();
		assertThat(this.b.getState()).isEqualTo(State.CLOSED);

		assertThat(this.a.adopt(change(State.CLOSED, Duration.ZERO, false), "b")).isFalse();
		assertThat(this.a.adopt(change(State.OPEN, Duration.ofSeconds(3), false), "b")).isFalse();
		assertThat(this.a.isForcedOpenHere()).isTrue();

		// An operator closing the breaker for the whole fleet closes it here too.
		this.b.close();
		assertThat(this.a.getState()).isEqualTo(State.CLOSED);
	}

	@Test
	void anIgnoredOrCancelledTrialGivesItsPermitBackToTheFleet() {
		fail(this.a);
		fail(this.a);
		fail(this.a);
		this.clock.advance(Duration.ofSeconds(10));

		CircuitBreaker.Phase first = this.a.tryAcquire();
		CircuitBreaker.Phase second = this.b.tryAcquire();
		assertThat(this.c.tryAcquire()).as("the fleet's two trials are taken").isNull();
		this.a.release(first);
		CircuitBreaker.Phase again = this.c.tryAcquire();
		assertThat(again).as("the permit a gave back").isNotNull();
		this.c.onSuccess(again, 0);
		this.b.onSuccess(second, 0);

		assertThat(List.of(this.a.getState(), this.b.getState(), this.c.getState())).containsOnly(State.CLOSED);
	}

	@Test
	void trialsTheLinkCannotCountAreSettledByTheInstanceThatRanThemAll() {
		fail(this.a);
		fail(this.a);
		fail(this.a);
		this.clock.advance(Duration.ofSeconds(10));
		this.fleet.counting = false;

		CircuitBreaker.Phase first = this.a.tryAcquire();
		CircuitBreaker.Phase second = this.a.tryAcquire();
		this.a.onSuccess(first, 0);
		assertThat(this.a.getState()).isEqualTo(State.HALF_OPEN);
		this.a.onSuccess(second, 0);

		assertThat(this.a.getState()).as("both trials ran here: it decides, and tells the fleet").isEqualTo(State.CLOSED);
		assertThat(List.of(this.b.getState(), this.c.getState())).containsOnly(State.CLOSED);
	}

	@Test
	void aRoundTheLinkCouldNotCountIsSettledByTheSuccessesSeenHere() {
		CircuitBreaker alone = breaker("alone");
		alone.link(new BreakerLink() {
			@Override
			public boolean isShared() {
				return true;
			}

			@Override
			public long round(CircuitBreaker breaker) {
				return 3;
			}

			@Override
			public @Nullable Boolean acquireTrial(CircuitBreaker breaker, long round, int calls) {
				// The first trial holds a fleet permit; the link cannot tell for the second.
				return (breaker.getRejectedCount() == 0 && this.given++ == 0) ? Boolean.TRUE : null;
			}

			private int given;

			@Override
			public boolean trialSucceeded(CircuitBreaker breaker, long round, int calls) {
				// Queued: the fleet decides, later.
				return true;
			}
		});
		fail(alone);
		fail(alone);
		fail(alone);
		this.clock.advance(Duration.ofSeconds(10));
		CircuitBreaker.Phase first = alone.tryAcquire();
		CircuitBreaker.Phase second = alone.tryAcquire();
		alone.onSuccess(first, 0);
		alone.onSuccess(second, 0);
		assertThat(alone.getState()).as("the fleet counts them").isEqualTo(State.HALF_OPEN);

		alone.settleAlone(2);
		assertThat(alone.getState()).as("another round's settling").isEqualTo(State.HALF_OPEN);
		alone.settleAlone(3);

		assertThat(alone.getState()).as("the fleet could not count: both trials succeeded here").isEqualTo(State.CLOSED);
	}

	private static BreakerLink.Change change(State state, Duration openFor, boolean byHand) {
		return new BreakerLink.Change("inventory", state, openFor, false, byHand, "elsewhere");
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

	/**
	 * Three breakers of one name, each on its "instance", relaying to each other at once; the open
	 * state's number is the round its trials are counted in.
	 */
	private static final class Fleet {

		final List<String> announcements = new CopyOnWriteArrayList<>();

		private final Map<String, CircuitBreaker> members = new ConcurrentHashMap<>();

		private final Map<Long, AtomicInteger> trials = new ConcurrentHashMap<>();

		private final Map<Long, AtomicInteger> successes = new ConcurrentHashMap<>();

		private final AtomicInteger version = new AtomicInteger();

		private volatile long openRound;

		/** Whether the link counts trial successes (false: as when Redis does not answer). */
		volatile boolean counting = true;

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
					long next = Fleet.this.version.incrementAndGet();
					Fleet.this.openRound = (change.state() == State.OPEN) ? next : 0;
					Fleet.this.members.forEach((other, member) -> {
						if (!other.equals(instance)) {
							member.adopt(change, instance);
						}
					});
				}

				@Override
				public long round(CircuitBreaker from) {
					return Fleet.this.openRound;
				}

				@Override
				public @Nullable Boolean acquireTrial(CircuitBreaker from, long round, int calls) {
					AtomicInteger taken = Fleet.this.trials.computeIfAbsent(round, (r) -> new AtomicInteger());
					return taken.getAndUpdate((n) -> (n < calls) ? n + 1 : n) < calls;
				}

				@Override
				public void releaseTrial(CircuitBreaker from, long round) {
					Fleet.this.trials.get(round).decrementAndGet();
				}

				@Override
				public boolean trialSucceeded(CircuitBreaker from, long round, int calls) {
					if (!Fleet.this.counting) {
						return false;
					}
					if (Fleet.this.successes.computeIfAbsent(round, (r) -> new AtomicInteger()).incrementAndGet() == calls) {
						Fleet.this.openRound = 0;
						Change closed = new Change(from.getName(), State.CLOSED, Duration.ZERO, false, false,
								calls + " trial call(s) succeeded");
						Fleet.this.members.values().forEach((member) -> member.adopt(closed, instance));
					}
					return true;
				}
			});
			return breaker;
		}

	}

}
