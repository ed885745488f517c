package dev.retry.docs.outage;

import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.annotation.Retryable;
import dev.retry.autoconfigure.RetryAutoConfiguration;
import dev.retry.docs.Downstream;
import dev.retry.docs.Yaml;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The examples of docs/outage.md: Retry-After, a resolver of one's own, the deadline, the budget. */
class OutageTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class))
		.withInitializer(Yaml.file("outage/application.yml"))
		.withBean(ManualClock.class)
		.withBean(Calls.class);

	@Test
	void aRetryAfterLongerThanMaxDelayWaitsMaxDelay() {
		try (Downstream pricing = Downstream.answering(503, 200).withRetryAfter("120").withBody("9.99")) {
			this.runner.withBean(RestClient.class, () -> RestClient.create(pricing.url())).run((context) -> {
				assertThat(context.getBean(Calls.class).price()).isEqualTo("9.99");
				assertThat(context.getBean(ManualClock.class).sleeps()).containsExactly(Duration.ofSeconds(30));
			});
		}
	}

	@Test
	void aResolverBeanReadsTheWaitFromItsOwnException() {
		this.runner.withUserConfiguration(ThrottledSdkConfiguration.class).run((context) -> {
			assertThat(context.getBean(Calls.class).throttled()).isEqualTo("ok");
			assertThat(context.getBean(ManualClock.class).sleeps()).containsExactly(Duration.ofMillis(1500));
		});
	}

	@Test
	void aWaitThatWouldCrossTheDeadlineIsNotStarted() {
		this.runner.run((context) -> {
			Calls calls = context.getBean(Calls.class);
			assertThatExceptionOfType(ConnectException.class).isThrownBy(calls::checkout);
			// waits of 1s and 2s; the third, of 4s, would end past 5s
			assertThat(calls.attempts()).isEqualTo(3);
			assertThat(context.getBean(ManualClock.class).sleeps()).containsExactly(Duration.ofSeconds(1),
					Duration.ofSeconds(2));
		});
	}

	@Test
	void underAFullOutageTheBudgetKeepsRetriesWithinItsBound() {
		this.runner.run((context) -> {
			Calls calls = context.getBean(Calls.class);
			for (int i = 0; i < 1000; i++) {
				assertThatExceptionOfType(ConnectException.class).isThrownBy(calls::network);
			}
			// without a budget 3,000 attempts; the bound is 1,000 calls + 10/s x 10s + 10% of 1,000
			assertThat(calls.attempts()).isBetween(1000 + 100, 1000 + 100 + 100);
		});
	}

	static class Calls {

		private final AtomicInteger attempts = new AtomicInteger();

		private RestClient pricing;

		@org.springframework.beans.factory.annotation.Autowired(required = false)
		void setPricing(RestClient pricing) {
			this.pricing = pricing;
		}

		int attempts() {
			return this.attempts.get();
		}

		@Retryable(policy = "pricing")
		public String price() {
			return this.pricing.get().uri("/prices/sku-1").retrieve().body(String.class);
		}

		@Retryable(policy = "throttled")
		public String throttled() {
			if (this.attempts.incrementAndGet() == 1) {
				throw new ThrottledException(1500);
			}
			return "ok";
		}

		@Retryable(policy = "checkout")
		public void checkout() throws ConnectException {
			this.attempts.incrementAndGet();
			throw new ConnectException("Connection refused");
		}

		@Retryable(policy = "network")
		public void network() throws ConnectException {
			this.attempts.incrementAndGet();
			throw new ConnectException("Connection refused");
		}

	}

}
