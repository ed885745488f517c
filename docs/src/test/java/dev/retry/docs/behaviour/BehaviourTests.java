package dev.retry.docs.behaviour;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.retry.annotation.Retryable;
import dev.retry.autoconfigure.RetryAutoConfiguration;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.web.client.ResourceAccessException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** The examples of docs/behaviour.md, run as a user's application runs them. */
class BehaviourTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class))
		.withBean(ManualClock.class);

	@Test
	void anExceptionThatSaysItIsTransientIsRetried() {
		this.runner.withBean(Quota.class).run((context) -> {
			Quota quota = context.getBean(Quota.class);

			assertThat(quota.call()).isEqualTo("ok");
			assertThat(quota.attempts()).isEqualTo(2);
		});
	}

	@Test
	void theFallbackAnswersForTheFailureItDeclaresAndOnlyForIt() {
		this.runner.withBean(CachedStockClient.class).run((context) -> {
			CachedStockClient client = context.getBean(CachedStockClient.class);
			client.setDownstream((sku) -> {
				throw new ResourceAccessException("I/O error: Connection refused");
			});
			assertThat(client.stock("sku-1")).isEqualTo(7);
			assertThat(client.calls()).isEqualTo(3);

			client.setDownstream((sku) -> {
				throw new IllegalStateException("a bug, not an outage");
			});
			assertThatIllegalStateException().isThrownBy(() -> client.stock("sku-1"));
		});
	}

	@Test
	void aDownloadCutOffResumesFromTheBytesTheLastAttemptReceived() {
		byte[] content = "0123456789abcdefghij".getBytes(StandardCharsets.US_ASCII);
		List<Integer> offsets = new ArrayList<>();
		this.runner.withBean(ResumingDownloader.class).run((context) -> {
			ResumingDownloader downloader = context.getBean(ResumingDownloader.class);
			downloader.setSource((from) -> {
				offsets.add(from);
				return ResumingDownloader.cut(content, from, 8);
			});

			assertThat(downloader.download("catalog.pdf")).isEqualTo(content);
			assertThat(offsets).containsExactly(0, 8, 16);
		});
	}

	static class Quota {

		private int attempts;

		int attempts() {
			return this.attempts;
		}

		@Retryable
		public String call() {
			if (++this.attempts == 1) {
				throw new QuotaExceededException();
			}
			return "ok";
		}

	}

}
