package dev.retry.autoconfigure;

import dev.retry.operations.Retries;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * With {@code retry.enabled=false} the annotations do nothing, and code that uses the programmatic
 * API still starts: its {@link Retries} makes each call once.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "retry.enabled", havingValue = false)
public final class RetryDisabledAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	Retries retries() {
		return Retries.disabled();
	}

}
