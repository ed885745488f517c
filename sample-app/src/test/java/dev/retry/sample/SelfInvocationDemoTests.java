package dev.retry.sample;

import dev.retry.time.ManualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.ActiveProfiles;

import static org.assertj.core.api.Assertions.assertThat;

/** The sample started with its deliberate self-call: the starter says so at start-up, with the fix. */
@SpringBootTest(properties = "storefront.traffic.enabled=false")
@ActiveProfiles("self-invocation-demo")
@ExtendWith(OutputCaptureExtension.class)
class SelfInvocationDemoTests {

	@Test
	void startUpWarnsAboutTheCallOnThis(CapturedOutput output) {
		assertThat(output).contains("RestockPlanner.planAll() calls plan(String) on this: @Retryable does not apply "
				+ "to that call. Call it through the bean instead: inject the bean into itself lazily (@Autowired @Lazy "
				+ "RestockPlanner self; then self.method(...)), or move the annotated method to another bean.");
	}

	@TestConfiguration
	static class Clock {

		@Bean
		ManualClock retryClock() {
			return new ManualClock();
		}

	}

}
