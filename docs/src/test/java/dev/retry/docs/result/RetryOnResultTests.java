package dev.retry.docs.result;

import java.time.Duration;

import dev.retry.autoconfigure.RetryAutoConfiguration;
import dev.retry.docs.Downstream;
import dev.retry.docs.Yaml;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** The examples of docs/retry-on-result.md against a real HTTP server. */
class RetryOnResultTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class))
		.withInitializer(Yaml.file("result/application.yml"))
		.withBean(ManualClock.class)
		.withBean(RestClient.Builder.class, RestClient::builder)
		.withBean(JobClient.class);

	@Test
	void aPendingJobIsAskedAgainUntilItIsDone() {
		try (Downstream jobs = Downstream.answering(200).withBodies("PENDING", "PENDING", "DONE")) {
			this.runner.withPropertyValues("jobs.url=" + jobs.url()).run((context) -> {
				assertThat(context.getBean(JobClient.class).status("42")).isEqualTo("DONE");
				assertThat(jobs.requests()).isEqualTo(3);
			});
		}
	}

	@Test
	void aReturned503IsRetriedAndItsRetryAfterSetsTheWait() {
		try (Downstream jobs = Downstream.answering(503, 200).withRetryAfter("3").withBody("result")) {
			this.runner.withPropertyValues("jobs.url=" + jobs.url()).run((context) -> {
				assertThat(context.getBean(JobClient.class).result("42").getBody()).isEqualTo("result");
				assertThat(context.getBean(ManualClock.class).sleeps()).containsExactly(Duration.ofSeconds(3));
			});
		}
	}

}
