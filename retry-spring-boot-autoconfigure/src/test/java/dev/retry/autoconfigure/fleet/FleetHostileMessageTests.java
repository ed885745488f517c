package dev.retry.autoconfigure.fleet;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import dev.retry.breaker.State;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What arrives on the fleet's channels is data from outside: garbled, truncated, oversized or
 * hostile payloads are each ignored and counted, change no breaker and no policy, and leave the
 * channels working for the next genuine message.
 */
class FleetHostileMessageTests extends FleetInstances {

	private static final String BREAKERS = "retry:shop:breakers";

	private static final String TUNING = "retry:shop:tuning";

	@Test
	void garbledAndHostilePayloadsAreEachIgnoredAndCountedAndChangeNothing() {
		ConfigurableApplicationContext a = instance();
		await().atMost(Duration.ofSeconds(3)).until(() -> fleet(a).isLinked());
		StringRedisTemplate redis = a.getBean(StringRedisTemplate.class);
		List<String> breakerPayloads = List.of(
				// an open time no clock can count (10^17 ms)
				"v2|shop|evil-1|5000|inventory|OPEN|0|0|99999999999999999|x",
				"v2|shop|evil-1|5001|inventory|OPEN|0|0|100|%zz",
				"v2|shop|evil-1|5002|inventory|HALF_OPEN|0|0|100|x",
				"v2|shop|evil-1|-1|inventory|OPEN|0|0|100|x",
				"v2|shop||5003|inventory|OPEN|0|0|100|x",
				"v2|shop|evil-1|5004|inventory|OPEN|2|0|100|x",
				"v2|shop|evil-1|5005|inventory|OPEN|0|0|100|x|extra",
				"v2|shop|evil-1|99999999999999999999|inventory|OPEN|0|0|100|x",
				"v2|shop|evil-1|5006|inventory|OPEN|0|0|100|" + "x".repeat(100_000),
				"");
		List<String> tuningPayloads = List.of(
				"v2|shop|evil-1|5007|policy|network|max-attempts",
				"v2|shop|evil-1|5008|policy|network|max-attempts=%E0%A4%A",
				"v2|shop|evil-1|5009|policy|network|max-attempts=-3",
				"v2|shop|evil-1|5010|weird|network|max-attempts=3",
				"v2|shop|evil-1|99999999999999999999|policy|network|max-attempts=3",
				"v2|shop|evil-1|5011|breaker|inventory|failure-threshold=-1",
				"v2|shop|evil-1|5012|policy|network|max-attempts=4&max-attempts",
				"v1|shop|evil-1|policy|network|max-attempts=3");
		long ignored = fleet(a).getIgnoredMessages();
		int attempts = maxAttempts(a, "network");

		breakerPayloads.forEach((payload) -> redis.convertAndSend(BREAKERS, payload));
		tuningPayloads.forEach((payload) -> redis.convertAndSend(TUNING, payload));
		// Bytes that are not UTF-8 at all.
		redis.execute((org.springframework.data.redis.core.RedisCallback<Long>) (connection) -> connection
			.publish(BREAKERS.getBytes(StandardCharsets.UTF_8), new byte[] { (byte) 0xff, (byte) 0xfe, '|', 0 }));

		int sent = breakerPayloads.size() + tuningPayloads.size() + 1;
		await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> assertThat(fleet(a).getIgnoredMessages())
			.as("ignored messages after %d garbled or hostile ones", sent)
			.isEqualTo(ignored + sent));
		assertThat(breaker(a, "inventory").getState()).isEqualTo(State.CLOSED);
		assertThat(breaker(a, "inventory").getConfig().getFailureThreshold()).isEqualTo(3);
		assertThat(maxAttempts(a, "network")).isEqualTo(attempts);

		// The channels still work.
		redis.convertAndSend(TUNING, "v2|shop|otherhost-1-abcd|6000|policy|network|max-attempts=4");
		redis.convertAndSend(BREAKERS, "v2|shop|otherhost-1-abcd|6001|inventory|OPEN|0|0|30000|5+failures");
		await().atMost(Duration.ofSeconds(2))
			.until(() -> maxAttempts(a, "network") == 4 && breaker(a, "inventory").getState() == State.OPEN);
	}

}
