package dev.retry.classify;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RetryAfterHeaderTest {

	private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

	@Test
	void delaySeconds() {
		assertThat(RetryAfterHeader.parse("2", NOW)).isEqualTo(Duration.ofSeconds(2));
		assertThat(RetryAfterHeader.parse(" 120 ", NOW)).isEqualTo(Duration.ofMinutes(2));
		assertThat(RetryAfterHeader.parse("0", NOW)).isEqualTo(Duration.ZERO);
	}

	@Test
	void httpDateIsTheTimeFromNowUntilThen() {
		assertThat(RetryAfterHeader.parse("Sun, 22 Nov 2026 10:00:02 GMT", NOW)).isEqualTo(Duration.ofSeconds(2));
		assertThat(RetryAfterHeader.parse("Sun, 22 Nov 2026 10:05:00 GMT", NOW)).isEqualTo(Duration.ofMinutes(5));
	}

	@Test
	void dateInThePastMeansNoWait() {
		assertThat(RetryAfterHeader.parse("Sun, 22 Nov 2026 09:59:00 GMT", NOW)).isEqualTo(Duration.ZERO);
	}

	@Test
	void absentOrUnreadableValuesGiveNoHint() {
		assertThat(RetryAfterHeader.parse(null, NOW)).isNull();
		assertThat(RetryAfterHeader.parse(" ", NOW)).isNull();
		assertThat(RetryAfterHeader.parse("soon", NOW)).isNull();
		assertThat(RetryAfterHeader.parse("-5", NOW)).isNull();
		assertThat(RetryAfterHeader.parse("99999999999999999999999", NOW)).isNull();
	}

}
