package dev.retry.docs.outage;

import java.time.Duration;

import dev.retry.classify.RetryAfterResolver;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class ThrottledSdkConfiguration {

	// tag::resolver[]
	@Bean
	RetryAfterResolver throttledSdk() {
		return (failure, now) -> (failure instanceof ThrottledException throttled)
				? Duration.ofMillis(throttled.getRetryAfterMillis())
				: null;                              // no hint: ask the next resolver
	}
	// end::resolver[]

}
