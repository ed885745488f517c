package dev.retry.autoconfigure.config;

import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class DecimalSecondsConverterTests {

	@ParameterizedTest(name = "{0} = {1}ms")
	@CsvSource({ "1.0, 1000", "0.5, 500", "2, 2000", ".25, 250", "1.25, 1250", "500ms, 500", "2s, 2000", "PT1S, 1000",
			"1m, 60000", "0, 0" })
	void readsDecimalSecondsAndSpringForms(String text, long millis) {
		assertThat(DecimalSecondsConverter.parse(text)).isEqualTo(Duration.ofMillis(millis));
	}

}
