package dev.retry.breaker;

import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.retry.CircuitBreakerOpenException;
import dev.retry.breaker.CircuitBreaker.Phase;
import dev.retry.classify.HttpStatusResolver;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class CircuitBreakerTest {

	private static final HttpStatusResolver STATUS = (t) -> (t instanceof HttpFailure http) ? http.status : -1;

	private final ManualClock clock = new ManualClock();

	private final List<String> transitions = new CopyOnWriteArrayList<>();

	private CircuitBreaker breaker(CircuitBreakerConfig.Builder config) {
		return new CircuitBreaker(config.build(), this.clock, STATUS,
				List.of((name, from, to, reason) -> this.transitions.add(from + "->" + to + ": " + reason)));
	}

	private static CircuitBreakerConfig.Builder inventory() {
		return CircuitBreakerConfig.builder("inventory").failureThreshold(3).openDuration(Duration.ofSeconds(30));
	}

	@Test
	void opensAfterTheThresholdOfConsecutiveFailures() {
		CircuitBreaker breaker = breaker(inventory());

		fail(breaker, 2);
		assertThat(breaker.getState()).isEqualTo(State.CLOSED);
		assertThat(breaker.getConsecutiveFailures()).isEqualTo(2);
		fail(breaker, 1);

		assertThat(breaker.getState()).isEqualTo(State.OPEN);
		assertThat(this.transitions).containsExactly(
				"CLOSED->OPEN: 3 consecutive failures, last ConnectException: refused; half-open in 30s");
	}

	@Test
	void aSuccessResetsTheConsecutiveCount() {
		CircuitBreaker breaker = breaker(inventory());

		fail(breaker, 2);
		succeed(breaker, 1);
		fail(breaker, 2);

		assertThat(breaker.getState()).isEqualTo(State.CLOSED);
	}

	@Test
	void openRejectsAtOnceSayingWhenItHalfOpens() {
		CircuitBreaker breaker = breaker(inventory());
		fail(breaker, 3);
		this.clock.advance(Duration.ofSeconds(10));

		assertThat(breaker.tryAcquire()).isNull();
		CircuitBreakerOpenException rejection = breaker.rejection();
		assertThat(rejection.getBreakerName()).isEqualTo("inventory");
		assertThat(rejection.getUntilHalfOpen()).isEqualTo(Duration.ofSeconds(20));
		assertThat(rejection).hasMessage("Circuit breaker 'inventory' is open; it half-opens in 20.0s");
		assertThat(breaker.getRejectedCount()).isEqualTo(1);
	}

	@Test
	void halfOpensAfterTheOpenDurationAndClosesWhenEveryTrialSucceeds() {
		CircuitBreaker breaker = breaker(inventory().halfOpenCalls(2));
		fail(breaker, 3);
		this.clock.advance(Duration.ofSeconds(30));

		Phase first = breaker.tryAcquire();
		Phase second = breaker.tryAcquire();
		Phase third = breaker.tryAcquire();

		assertThat(breaker.getState()).isEqualTo(State.HALF_OPEN);
		assertThat(first).isNotNull();
		assertThat(second).isNotNull();
		assertThat(third).as("only 2 trial calls pass").isNull();
		breaker.onSuccess(first, 0);
		assertThat(breaker.getState()).isEqualTo(State.HALF_OPEN);
		breaker.onSuccess(second, 0);
		assertThat(breaker.getState()).isEqualTo(State.CLOSED);
		assertThat(this.transitions).element(1).asString().startsWith("OPEN->HALF_OPEN: open for 30s, letting 2 trial");
		assertThat(this.transitions).element(2).isEqualTo("HALF_OPEN->CLOSED: 2 trial call(s) succeeded");
	}

	@Test
	void aFailedTrialOpensItAgainForAnotherFullOpenDuration() {
		CircuitBreaker breaker = breaker(inventory());
		fail(breaker, 3);
		this.clock.advance(Duration.ofSeconds(30));

		Phase trial = breaker.tryAcquire();
		breaker.onFailure(trial, new ConnectException("still refused"), 0);

		assertThat(breaker.getState()).isEqualTo(State.OPEN);
		assertThat(breaker.untilHalfOpen()).isEqualTo(Duration.ofSeconds(30));
		assertThat(this.transitions).last().asString().startsWith("HALF_OPEN->OPEN: trial call failed: ConnectException");
	}

	@Test
	void aLateResultFromBeforeATransitionDoesNotCountAsATrial() {
		CircuitBreaker breaker = breaker(inventory());
		Phase slowCall = breaker.tryAcquire();
		fail(breaker, 3);
		this.clock.advance(Duration.ofSeconds(30));
		Phase trial = breaker.tryAcquire();

		breaker.onFailure(slowCall, new ConnectException("late"), 0);

		assertThat(breaker.getState()).isEqualTo(State.HALF_OPEN);
		breaker.onSuccess(trial, 0);
		assertThat(breaker.getState()).isEqualTo(State.CLOSED);
	}

	@Test
	void opensOnTheFailureRateOverTheSlidingWindowOnceMinimumCallsWereSeen() {
		CircuitBreaker breaker = breaker(inventory().failureThreshold(0)
			.failureRateThreshold(50)
			.slidingWindowSize(10)
			.minimumCalls(6));

		for (int i = 0; i < 2; i++) {
			succeed(breaker, 1);
			fail(breaker, 1);
		}
		succeed(breaker, 1);
		assertThat(breaker.getState()).as("40%% of 5 calls, below the minimum of 6").isEqualTo(State.CLOSED);
		fail(breaker, 1);

		assertThat(breaker.getState()).isEqualTo(State.OPEN);
		assertThat(this.transitions).element(0).asString()
			.startsWith("CLOSED->OPEN: failure rate 50.0% over the last 6 calls >= 50%");
	}

	@Test
	void rateBelowTheThresholdKeepsItClosedAndOldCallsLeaveTheWindow() {
		CircuitBreaker breaker = breaker(inventory().failureThreshold(0)
			.failureRateThreshold(50)
			.slidingWindowSize(4)
			.minimumCalls(4));

		fail(breaker, 1);
		succeed(breaker, 3);
		assertThat(breaker.getFailureRate()).isEqualTo(25f);
		succeed(breaker, 1);

		assertThat(breaker.getFailureRate()).isZero();
		assertThat(breaker.getState()).isEqualTo(State.CLOSED);
	}

	@Test
	void slowCallsCountAsFailuresForTheRate() {
		CircuitBreaker breaker = breaker(inventory().failureThreshold(0)
			.failureRateThreshold(50)
			.slidingWindowSize(4)
			.minimumCalls(2)
			.slowCallDuration(Duration.ofSeconds(2)));

		Phase fast = breaker.tryAcquire();
		breaker.onSuccess(fast, Duration.ofMillis(100).toNanos());
		Phase slow = breaker.tryAcquire();
		breaker.onSuccess(slow, Duration.ofSeconds(3).toNanos());

		assertThat(breaker.getState()).isEqualTo(State.OPEN);
		assertThat(breaker.getSuccessCount()).isEqualTo(2);
	}

	@Test
	void clientErrorsOtherThan408And429DoNotCount() {
		CircuitBreaker breaker = breaker(inventory());

		for (int status : new int[] { 400, 401, 404, 409, 422, 400 }) {
			Phase call = breaker.tryAcquire();
			breaker.onFailure(call, new HttpFailure(status), 0);
		}
		assertThat(breaker.getState()).isEqualTo(State.CLOSED);
		assertThat(breaker.getIgnoredCount()).isEqualTo(6);

		for (int status : new int[] { 429, 408, 503 }) {
			Phase call = breaker.tryAcquire();
			breaker.onFailure(call, new HttpFailure(status), 0);
		}
		assertThat(breaker.getState()).isEqualTo(State.OPEN);
	}

	@Test
	void ignoreOnAndRecordOnChooseWhatCounts() {
		CircuitBreaker ignoring = breaker(inventory().ignoreOn(List.of(IllegalArgumentException.class)));
		CircuitBreaker recording = breaker(inventory().recordOn(List.of(ConnectException.class)));

		for (int i = 0; i < 5; i++) {
			ignoring.onFailure(ignoring.tryAcquire(), new RuntimeException(new IllegalArgumentException()), 0);
			recording.onFailure(recording.tryAcquire(), new IllegalStateException(), 0);
		}

		assertThat(ignoring.getState()).isEqualTo(State.CLOSED);
		assertThat(recording.getState()).isEqualTo(State.CLOSED);
		fail(recording, 3);
		assertThat(recording.getState()).isEqualTo(State.OPEN);
	}

	@Test
	void forcedOpenStaysOpenUntilClosedByHand() {
		CircuitBreaker breaker = breaker(inventory());

		breaker.forceOpen();
		this.clock.advance(Duration.ofHours(1));

		assertThat(breaker.tryAcquire()).isNull();
		assertThat(breaker.isForcedOpen()).isTrue();
		assertThat(breaker.rejection()).hasMessage("Circuit breaker 'inventory' is forced open; it stays open until closed");
		breaker.close();
		assertThat(breaker.getState()).isEqualTo(State.CLOSED);
		assertThat(breaker.tryAcquire()).isNotNull();
	}

	@Test
	void resetClosesAndZeroesTheCounts() {
		CircuitBreaker breaker = breaker(inventory());
		succeed(breaker, 2);
		fail(breaker, 3);
		breaker.tryAcquire();

		breaker.reset();

		assertThat(breaker.getState()).isEqualTo(State.CLOSED);
		assertThat(breaker.getSuccessCount() + breaker.getFailureCount() + breaker.getRejectedCount()).isZero();
		assertThat(this.transitions).last().isEqualTo("OPEN->CLOSED: reset by hand");
	}

	@Test
	void executeRecordsTheOutcomeAndRethrows() throws Throwable {
		CircuitBreaker breaker = breaker(inventory().failureThreshold(1));

		String result = breaker.execute("x", (c, n) -> c + n, 1);

		assertThat(result).isEqualTo("x1");
		assertThatExceptionOfType(ConnectException.class).isThrownBy(() -> breaker.execute(null, (c, n) -> {
			throw new ConnectException("refused");
		}, 1));
		assertThatExceptionOfType(CircuitBreakerOpenException.class)
			.isThrownBy(() -> breaker.execute(null, (c, n) -> "never", 1));
		assertThat(breaker.getSuccessCount()).isEqualTo(1);
		assertThat(breaker.getFailureCount()).isEqualTo(1);
		assertThat(breaker.getRejectedCount()).isEqualTo(1);
	}

	@Test
	void rejectsConfigurationThatCouldNeverOpen() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> CircuitBreakerConfig.builder("x").failureThreshold(0).failureRateThreshold(0).build())
			.withMessage("failureThreshold and failureRateThreshold cannot both be 0: the breaker could never open");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> CircuitBreakerConfig.builder("x").slidingWindowSize(10).minimumCalls(20).build())
			.withMessage("minimumCalls must be within 1..slidingWindowSize (10), was 20");
		assertThatIllegalArgumentException().isThrownBy(() -> CircuitBreakerConfig.builder("x").halfOpenCalls(0).build())
			.withMessage("halfOpenCalls must be >= 1, was 0");
	}

	private static void fail(CircuitBreaker breaker, int times) {
		for (int i = 0; i < times; i++) {
			Phase call = breaker.tryAcquire();
			assertThat(call).isNotNull();
			breaker.onFailure(call, new ConnectException("refused"), 0);
		}
	}

	private static void succeed(CircuitBreaker breaker, int times) {
		for (int i = 0; i < times; i++) {
			Phase call = breaker.tryAcquire();
			assertThat(call).isNotNull();
			breaker.onSuccess(call, 0);
		}
	}

	static final class HttpFailure extends RuntimeException {

		final int status;

		HttpFailure(int status) {
			super("HTTP " + status);
			this.status = status;
		}

	}

	@Test
	void aSmallerWindowKeepsTheMostRecentCallsAndTheCountsStay() {
		CircuitBreaker breaker = breaker(inventory().failureThreshold(0)
			.failureRateThreshold(50)
			.slidingWindowSize(10)
			.minimumCalls(4));
		fail(breaker, 3);
		succeed(breaker, 4);
		assertThat(breaker.getFailureRate()).isEqualTo(300f / 7);

		breaker.reconfigure(inventory().failureThreshold(0).failureRateThreshold(50).slidingWindowSize(4).minimumCalls(4)
			.build());

		assertThat(breaker.getFailureRate()).as("the 4 most recent calls: all successes").isZero();
		assertThat(breaker.getFailureCount()).isEqualTo(3);
		assertThat(breaker.getSuccessCount()).isEqualTo(4);
		assertThat(breaker.getConfig().getSlidingWindowSize()).isEqualTo(4);
		fail(breaker, 2);
		assertThat(breaker.getState()).as("2 of the last 4 failed: 50%").isEqualTo(State.OPEN);
		assertThat(this.transitions).hasSize(1);
	}

	@Test
	void aNewConfigurationKeepsTheStateAndItsDeadline() {
		CircuitBreaker breaker = breaker(inventory());
		fail(breaker, 2);
		breaker.reconfigure(inventory().failureThreshold(5).openDuration(Duration.ofSeconds(5)).build());
		assertThat(breaker.getConsecutiveFailures()).as("failures in a row stay").isEqualTo(2);
		fail(breaker, 3);
		assertThat(breaker.getState()).isEqualTo(State.OPEN);
		assertThat(breaker.untilHalfOpen()).as("opened under the new open-duration").isEqualTo(Duration.ofSeconds(5));

		breaker.reconfigure(inventory().failureThreshold(5).openDuration(Duration.ofMinutes(10)).halfOpenCalls(3).build());

		assertThat(breaker.getState()).isEqualTo(State.OPEN);
		assertThat(breaker.untilHalfOpen()).as("an open breaker keeps the moment it was given").isEqualTo(Duration.ofSeconds(5));
		this.clock.advance(Duration.ofSeconds(5));
		assertThat(breaker.tryAcquire()).isNotNull();
		assertThat(breaker.tryAcquire()).as("half-open with the new half-open-calls").isNotNull();
		assertThat(this.transitions).as("no transition announced by a new configuration").hasSize(2);
	}

	/** Suspected in review: a call in flight when a closed breaker is re-tuned counted against a phase nobody reads. */
	@Test
	void failuresInFlightWhenAClosedBreakerIsReconfiguredStillCount() {
		CircuitBreaker breaker = breaker(inventory().failureThreshold(3));
		fail(breaker, 1);
		Phase inFlight = breaker.tryAcquire();
		Phase alsoInFlight = breaker.tryAcquire();

		breaker.reconfigure(inventory().failureThreshold(3).failureRateThreshold(90).slidingWindowSize(10).minimumCalls(5)
			.build());
		breaker.onFailure(inFlight, new ConnectException("refused"), 0);
		breaker.onFailure(alsoInFlight, new ConnectException("refused"), 0);

		assertThat(breaker.getState()).as("3 failures in a row, 2 of them admitted before the new configuration")
			.isEqualTo(State.OPEN);
	}

	@Test
	void aCallStartedBeforeSlowCallDurationWasSetIsNotMeasuredAgainstIt() throws Throwable {
		CircuitBreaker breaker = breaker(inventory().failureThreshold(1).halfOpenCalls(1));
		fail(breaker, 1);
		this.clock.advance(Duration.ofSeconds(30));

		String answer = breaker.execute("context", (context, attempt) -> {
			breaker.reconfigure(inventory().failureThreshold(1).halfOpenCalls(1).slowCallDuration(Duration.ofSeconds(10))
				.build());
			return "ok";
		}, 1);

		assertThat(answer).isEqualTo("ok");
		assertThat(breaker.getState()).as("a trial that took no time at all").isEqualTo(State.CLOSED);
	}

	@Test
	void aConfigurationOfAnotherBreakerIsRefused() {
		CircuitBreaker breaker = breaker(inventory());

		assertThatIllegalArgumentException()
			.isThrownBy(() -> breaker.reconfigure(CircuitBreakerConfig.builder("payments").build()))
			.withMessageContaining("payments");
	}

}
