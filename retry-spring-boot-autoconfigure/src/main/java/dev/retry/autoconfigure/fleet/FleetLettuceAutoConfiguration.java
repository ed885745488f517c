package dev.retry.autoconfigure.fleet;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.context.annotation.Bean;

/**
 * With the fleet on Lettuce (Spring Boot's default Redis client): Lettuce waits longer and longer
 * between attempts to reconnect to a Redis that went away (up to 30 s), so after an outage of a few
 * seconds the fleet's link stayed down for seconds after Redis was back. Its reconnect delay is
 * capped at {@link #MAX_RECONNECT_DELAY}, so the heartbeat finds Redis within about a second of its
 * return. Applies to Spring Boot's auto-configured {@link ClientResources}.
 */
@AutoConfiguration(beforeName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnBooleanProperty("retry.fleet.enabled")
@ConditionalOnClass({ ClientResources.class, ClientResourcesBuilderCustomizer.class })
public final class FleetLettuceAutoConfiguration {

	/** The longest Lettuce waits before trying to reconnect. */
	static final Duration MAX_RECONNECT_DELAY = Duration.ofMillis(500);

	@Bean
	ClientResourcesBuilderCustomizer retryFleetReconnectDelay() {
		return (builder) -> builder
			.reconnectDelay(Delay.exponential(Duration.ofMillis(10), MAX_RECONNECT_DELAY, 2, TimeUnit.MILLISECONDS));
	}

}
