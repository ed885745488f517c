package dev.retry.breaker;

import java.net.ConnectException;
import java.time.Duration;
import java.util.List;

import dev.retry.CircuitBreakerOpenException;
import dev.retry.classify.HttpStatusResolver;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A half-open breaker closes only on evidence that the downstream is healthy again. */
class HalfOpenEvidenceTest {

	private final ManualClock clock = new ManualClock();

	private CircuitBreaker halfOpen(CircuitBreakerConfig.Builder config) {
		CircuitBreaker breaker = new CircuitBreaker(config.build(), this.clock, HttpStatusResolver.NONE, List.of());
		breaker.onFailure(breaker.tryAcquire(), new ConnectException("down"), 0);
		this.clock.advance(Duration.ofMinutes(2));
		return breaker;
	}

	private static CircuitBreakerConfig.Builder inventory() {
		return CircuitBreakerConfig.builder("inventory").failureThreshold(1).openDuration(Duration.ofMinutes(1));
	}

	@Test
	void aTrialEndingInAnIgnoredExceptionIsNeutralAndLetsAnotherTrialGo() {
		CircuitBreaker breaker = halfOpen(inventory().ignoreOn(List.of(IllegalArgumentException.class)));

		breaker.onFailure(breaker.tryAcquire(), new IllegalArgumentException("bad request"), 0);

		assertThat(breaker.getState()).isEqualTo(State.HALF_OPEN);
		CircuitBreaker.Phase next = breaker.tryAcquire();
		assertThat(next).as("the permit came back").isNotNull();
		breaker.onSuccess(next, 0);
		assertThat(breaker.getState()).isEqualTo(State.CLOSED);
	}

	@Test
	void aTrialRejectedByAnotherBreakerIsNeutral() {
		CircuitBreaker breaker = halfOpen(inventory());

		breaker.onFailure(breaker.tryAcquire(), new CircuitBreakerOpenException("pricing", Duration.ofSeconds(5)), 0);

		assertThat(breaker.getState()).isEqualTo(State.HALF_OPEN);
		assertThat(breaker.tryAcquire()).isNotNull();
	}

	@Test
	void aTrialSlowerThanSlowCallDurationOpensTheBreakerAgain() {
		CircuitBreaker breaker = halfOpen(inventory().slowCallDuration(Duration.ofSeconds(2)));

		breaker.onSuccess(breaker.tryAcquire(), Duration.ofSeconds(3).toNanos());

		assertThat(breaker.getState()).isEqualTo(State.OPEN);
	}

	@Test
	void aTrialStillRunningAfterHalfOpenMaxWaitOpensTheBreakerAgainAndItsLateAnswerChangesNothing() {
		CircuitBreaker breaker = halfOpen(inventory().halfOpenMaxWait(Duration.ofSeconds(10)));
		CircuitBreaker.Phase hung = breaker.tryAcquire();
		this.clock.advance(Duration.ofSeconds(9));
		assertThat(breaker.tryAcquire()).isNull();
		assertThat(breaker.getState()).isEqualTo(State.HALF_OPEN);

		this.clock.advance(Duration.ofSeconds(1));
		assertThat(breaker.tryAcquire()).isNull();
		assertThat(breaker.getState()).isEqualTo(State.OPEN);

		breaker.onSuccess(hung, Duration.ofSeconds(11).toNanos());
		assertThat(breaker.getState()).as("a trial of a past half-open phase").isEqualTo(State.OPEN);
	}

	@Test
	void halfOpenMaxWaitDefaultsToTheOpenDuration() {
		assertThat(inventory().build().getHalfOpenMaxWait()).isEqualTo(Duration.ofMinutes(1));
		assertThat(inventory().halfOpenMaxWait(Duration.ofSeconds(5)).build().getHalfOpenMaxWait())
			.isEqualTo(Duration.ofSeconds(5));
	}

}
