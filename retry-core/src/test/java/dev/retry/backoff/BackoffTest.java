package dev.retry.backoff;

import java.time.Duration;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

class BackoffTest {

	private static final long S = Duration.ofSeconds(1).toNanos();

	private static final double ALMOST_ONE = Math.nextDown(1.0);

	@Test
	void exponentialWithoutJitterDoublesFromBaseAndStopsAtMax() {
		Backoff backoff = new Backoff(S, 10 * S, true, 2.0, Jitter.NONE, 0.3);

		assertThat(delays(backoff, 6, 0.5)).containsExactly(S, 2 * S, 4 * S, 8 * S, 10 * S, 10 * S);
	}

	@Test
	void fixedDelayWhenExponentialIsOff() {
		Backoff backoff = new Backoff(S / 2, 10 * S, false, 2.0, Jitter.NONE, 0.3);

		assertThat(delays(backoff, 4, 0.5)).containsOnly(S / 2);
	}

	@Test
	void multiplierIsHonoured() {
		Backoff backoff = new Backoff(100, 1_000_000, true, 3.0, Jitter.NONE, 0);

		assertThat(delays(backoff, 4, 0.0)).containsExactly(100L, 300L, 900L, 2700L);
	}

	@Test
	void proportionalAddsUpToFactorTimesDelay() {
		Backoff backoff = new Backoff(S, 60 * S, true, 2.0, Jitter.PROPORTIONAL, 0.3);

		assertThat(backoff.delayNanos(2, 0, 0.0)).isEqualTo(2 * S);
		assertThat(backoff.delayNanos(2, 0, 0.5)).isEqualTo(2 * S + (long) (0.15 * 2 * S));
		assertThat(backoff.delayNanos(2, 0, ALMOST_ONE)).isCloseTo((long) (2.6 * S), within(10L));
	}

	@Test
	void fullIsUniformBetweenZeroAndDelay() {
		Backoff backoff = new Backoff(S, 60 * S, true, 2.0, Jitter.FULL, 0.3);

		assertThat(backoff.delayNanos(3, 0, 0.0)).isZero();
		assertThat(backoff.delayNanos(3, 0, 0.25)).isEqualTo(S);
		assertThat(backoff.delayNanos(3, 0, ALMOST_ONE)).isCloseTo(4 * S, within(10L));
	}

	@Test
	void equalKeepsAtLeastHalfTheDelay() {
		Backoff backoff = new Backoff(S, 60 * S, true, 2.0, Jitter.EQUAL, 0.3);

		assertThat(backoff.delayNanos(3, 0, 0.0)).isEqualTo(2 * S);
		assertThat(backoff.delayNanos(3, 0, 0.5)).isEqualTo(3 * S);
		assertThat(backoff.delayNanos(3, 0, ALMOST_ONE)).isCloseTo(4 * S, within(10L));
	}

	@Test
	void decorrelatedDrawsBetweenBaseAndThreeTimesPreviousCappedAtMax() {
		Backoff backoff = new Backoff(S, 10 * S, true, 2.0, Jitter.DECORRELATED, 0.3);

		assertThat(backoff.delayNanos(1, 0, 0.0)).isEqualTo(S);
		assertThat(backoff.delayNanos(1, 0, ALMOST_ONE)).isCloseTo(3 * S, within(10L));
		assertThat(backoff.delayNanos(4, 2 * S, 0.5)).isEqualTo(S + (long) (0.5 * (6 * S - S)));
		assertThat(backoff.delayNanos(5, 9 * S, ALMOST_ONE)).isEqualTo(10 * S);
	}

	@ParameterizedTest
	@EnumSource(Jitter.class)
	void seededSequencesStayWithinEachModesBoundsAndUnderMax(Jitter jitter) {
		long base = S / 10;
		long max = 5 * S;
		Backoff backoff = new Backoff(base, max, true, 2.0, jitter, 0.3);
		SplittableRandom random = new SplittableRandom(42);
		double sum = 0;
		int n = 20_000;
		long previous = 0;
		for (int i = 0; i < n; i++) {
			int retry = 1 + (i % 8);
			double planned = Math.min(base * Math.pow(2, retry - 1), max);
			long delay = backoff.delayNanos(retry, previous, random.nextDouble());
			assertThat(delay).isBetween(0L, max);
			switch (jitter) {
				case NONE -> assertThat(delay).isEqualTo((long) planned);
				case PROPORTIONAL -> assertThat((double) delay).isBetween(planned - 1, Math.min(max, planned * 1.3));
				case FULL -> assertThat((double) delay).isBetween(0.0, planned);
				case EQUAL -> assertThat((double) delay).isBetween(planned / 2 - 1, planned);
				case DECORRELATED -> assertThat(delay).isBetween(base, Math.min(max, Math.max(base, 3 * (previous > 0 ? previous : base))));
			}
			if (jitter == Jitter.FULL && retry == 1) {
				sum += delay / (double) base;
			}
			previous = (retry == 8) ? 0 : delay;
		}
		if (jitter == Jitter.FULL) {
			// Mean of U(0, d) is d/2: over 2,500 draws, well within 0.45..0.55.
			assertThat(sum / (n / 8.0)).isBetween(0.45, 0.55);
		}
	}

	@Test
	void rejectsMaxBelowBase() {
		assertThatIllegalArgumentException().isThrownBy(() -> new Backoff(2 * S, S, true, 2.0, Jitter.NONE, 0.3))
			.withMessageContaining("maxDelay must be >= baseDelay");
	}

	private static long[] delays(Backoff backoff, int retries, double u) {
		long[] delays = new long[retries];
		long previous = 0;
		for (int n = 1; n <= retries; n++) {
			delays[n - 1] = backoff.delayNanos(n, previous, u);
			previous = delays[n - 1];
		}
		return delays;
	}

}
