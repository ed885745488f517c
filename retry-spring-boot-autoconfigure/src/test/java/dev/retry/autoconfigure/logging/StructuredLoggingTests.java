package dev.retry.autoconfigure.logging;

import java.net.ConnectException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.annotation.Retryable;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.logging.LoggingInitializationContext;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/** The library's log lines as Spring Boot's structured logging writes them. */
@ExtendWith(OutputCaptureExtension.class)
class StructuredLoggingTests {

	@AfterEach
	void backToPlainLines() {
		// The application below switched the JVM's logging to JSON; later tests expect plain lines.
		LoggingSystem system = LoggingSystem.get(getClass().getClassLoader());
		system.cleanUp();
		// Spring Boot hands the format to Logback through system properties, which outlive the application.
		System.getProperties().stringPropertyNames().stream()
			.filter((name) -> name.contains("STRUCTURED"))
			.forEach(System::clearProperty);
		system.beforeInitialize();
		system.initialize(new LoggingInitializationContext(new StandardEnvironment()), null, null);
	}

	@Test
	void withEcsARetryLineIsJsonCarryingTheAttemptFields(CapturedOutput output) throws Exception {
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
			.web(WebApplicationType.NONE)
			.properties("logging.structured.format.console=ecs", "spring.main.banner-mode=off",
					"retry.policies.network.jitter=none")
			.run()) {
			assertThat(context.getBean(Inventory.class).stock()).isEqualTo("ok");
		}
		String line = output.getOut()
			.lines()
			.filter((candidate) -> candidate.contains("Retry 2/3 for Inventory.stock"))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no retry line in:\n" + output.getOut()));
		Map<?, ?> json = JsonMapper.builder().build().readValue(line, Map.class);
		assertThat(json.get("message")).isEqualTo("Retry 2/3 for Inventory.stock in 1.00s after ConnectException: refused");
		assertThat(json.get("log")).asString().contains("dev.retry.Retry");
		assertThat(field(json, "retry.method")).isEqualTo("Inventory.stock");
		assertThat(field(json, "retry.policy")).isEqualTo("network");
		assertThat(String.valueOf(field(json, "retry.attempt"))).isEqualTo("2");
	}

	/** A field by its dotted name, whether written flat or nested. */
	private static Object field(Map<?, ?> json, String dotted) {
		if (json.containsKey(dotted)) {
			return json.get(dotted);
		}
		Object value = json;
		for (String part : dotted.split("\\.")) {
			value = (value instanceof Map<?, ?> map) ? map.get(part) : null;
		}
		return value;
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class App {

		@Bean
		ManualClock manualClock() {
			return new ManualClock();
		}

		@Bean
		Inventory inventory() {
			return new Inventory();
		}

	}

	public static class Inventory {

		private final AtomicInteger calls = new AtomicInteger();

		@Retryable(policy = "network")
		public String stock() throws ConnectException {
			if (this.calls.incrementAndGet() == 1) {
				throw new ConnectException("refused");
			}
			return "ok";
		}

	}

}
