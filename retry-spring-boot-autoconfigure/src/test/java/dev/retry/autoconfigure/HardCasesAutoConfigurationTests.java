package dev.retry.autoconfigure;

import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.annotation.CircuitBreaker;
import dev.retry.annotation.Retryable;
import dev.retry.autoconfigure.actuate.RetriesEndpoint;
import dev.retry.autoconfigure.actuate.RetryActuatorAutoConfiguration;
import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.autoconfigure.config.MethodRegistry;
import dev.retry.autoconfigure.config.PolicyRegistry;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Scope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The hard cases through a Spring context: names in every form Spring binds, prototype beans,
 * cancelled calls, secrets in what the library shows, publishers that are never returned, values
 * out of range.
 */
@ExtendWith(OutputCaptureExtension.class)
class HardCasesAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class, RetryActuatorAutoConfiguration.class))
		.withBean(ManualClock.class)
		.withPropertyValues("management.endpoints.web.exposure.include=*", "retry.policies.network.jitter=none");

	@Test
	void policyAndBreakerNamesBindInCamelCaseSnakeCaseAndBrackets() {
		this.runner.withPropertyValues("retry.policies.myPolicy.max-attempts=5", "retry.policies.other_policy.max-attempts=6",
				"retry.policies.[inventory.v2].max-attempts=7", "retry.circuit-breakers.paymentGateway.failure-threshold=2",
				"retry.circuit-breakers.[stock.v2].half-open-calls=3")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				PolicyRegistry policies = context.getBean(PolicyRegistry.class);
				assertThat(policies.find("myPolicy").policy().getMaxAttempts()).isEqualTo(5);
				assertThat(policies.find("other_policy").policy().getMaxAttempts()).isEqualTo(6);
				assertThat(policies.find("inventory.v2").policy().getMaxAttempts()).isEqualTo(7);
				assertThat(policies.find("inventory.v2").sources().get("max-attempts").origin())
					.as("not reported as a library default").contains("retry.policies.[inventory.v2].max-attempts");
				assertThat(policies.find("myPolicy").sources().get("max-attempts").origin())
					.contains("retry.policies.myPolicy.max-attempts");
				CircuitBreakerRegistry breakers = context.getBean(CircuitBreakerRegistry.class);
				assertThat(breakers.find("paymentGateway").getConfig().getFailureThreshold()).isEqualTo(2);
				assertThat(breakers.find("stock.v2").getConfig().getHalfOpenCalls()).isEqualTo(3);
			});
	}

	@Test
	void aNameSpringWouldChangeFailsStartUpNamingTheProperty() {
		this.runner.withPropertyValues("retry.policies.my policy.max-attempts=5").run((context) -> {
			FailureAnalysis analysis = StartupFailureTests.analyze(context);
			assertThat(analysis.getDescription()).contains("Property: retry.policies.my policy.max-attempts")
				.contains("the name 'my policy' cannot be bound as written");
			assertThat(analysis.getAction()).contains("retry.policies.[my policy].max-attempts");
		});
	}

	@Test
	void bareSecondsTooLargeForADurationFailStartUpNamingTheProperty() {
		this.runner.withPropertyValues("retry.defaults.max-delay=10000000000000000000000").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).hasStackTraceContaining("retry.defaults.max-delay")
				.rootCause().hasMessageContaining("out of range");
		});
	}

	@Test
	void aDurationLongerThanTheEngineCanCountFailsStartUpNamingTheProperty() {
		this.runner.withPropertyValues("retry.defaults.max-delay=10000000000").run((context) -> {
			FailureAnalysis analysis = StartupFailureTests.analyze(context);
			assertThat(analysis.getDescription()).contains("Property: retry.defaults.max-delay")
				.contains("out of range: longer than the 292 years");
		});
	}

	@Test
	void aPrototypeBeanRegistersItsMethodsOnce() {
		this.runner.withUserConfiguration(PrototypeConfiguration.class).run((context) -> {
			for (int i = 0; i < 5_000; i++) {
				context.getBean(PrototypeClient.class);
			}
			assertThat(context.getBean(MethodRegistry.class).methods()).singleElement()
				.satisfies((method) -> assertThat(method.method()).isEqualTo("PrototypeClient.fetch"));
			assertThat(context.getBean(RetriesEndpoint.class).retries().methods()).hasSize(1);
			PrototypeClient one = context.getBean(PrototypeClient.class);
			assertThat(catchThrowable(one::fetch)).isInstanceOf(ConnectException.class);
			assertThat(one.calls()).as("each instance is retried on its own target").isEqualTo(3);
		});
	}

	@Test
	void aCancelledAsyncCallLeavesTheWaitingListAtOnce() {
		this.runner.withBean(AsyncClient.class)
			.withAllowBeanDefinitionOverriding(true)
			.withBean("manualClock", ManualClock.class, HoldingClock::new)
			.run((context) -> {
				RetriesEndpoint endpoint = context.getBean(RetriesEndpoint.class);
				CompletableFuture<String> call = context.getBean(AsyncClient.class)
					.fetch("https://bob:hunter2@api.example.com/stock?sku=1&api_key=abc123&token=t0k");
				assertThat(endpoint.retries().waiting()).singleElement().satisfies((waiting) -> {
					assertThat(waiting.lastError()).isEqualTo(
							"java.net.ConnectException: refused https://api.example.com/stock?sku=1&api_key=***&token=***");
				});

				call.cancel(true);

				assertThat(endpoint.retries().waiting()).isEmpty();
			});
	}

	@Test
	void logLinesShowUrlsWithoutSecrets(CapturedOutput output) {
		this.runner.withBean(AsyncClient.class).run((context) -> {
			CompletableFuture<String> call = context.getBean(AsyncClient.class)
				.fetch("https://bob:hunter2@api.example.com/stock?password=pw&signature=s1g");
			catchThrowable(() -> call.get(5, TimeUnit.SECONDS));
			assertThat(output).contains("after ConnectException: refused https://api.example.com/stock?password=***&signature=***")
				.doesNotContain("hunter2").doesNotContain("s1g");
		});
	}

	@Test
	void aMonoMethodThatThrowsBeforeReturningItsPublisherIsAFailedAttemptRetriedAndCounted() {
		this.runner.withBean(ThrowingReactiveClient.class)
			.withPropertyValues("retry.circuit-breakers.stock.failure-threshold=10")
			.run((context) -> {
				ThrowingReactiveClient client = context.getBean(ThrowingReactiveClient.class);

				assertThat(client.price("A-1").block()).isEqualTo("9.99 on invocation 2");
				assertThat(context.getBean(ManualClock.class).sleeps()).containsExactly(Duration.ofSeconds(1));
				dev.retry.breaker.CircuitBreaker breaker = context.getBean(CircuitBreakerRegistry.class).find("stock");
				assertThat(breaker.getFailureCount()).isEqualTo(1);
				assertThat(breaker.getSuccessCount()).isEqualTo(1);

				assertThat(client.alwaysThrows().block()).as("the fallback answers").isEqualTo("cached");
			});
	}

	@org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
	static class PrototypeConfiguration {

		@org.springframework.context.annotation.Bean
		@Scope("prototype")
		PrototypeClient prototypeClient() {
			return new PrototypeClient();
		}

	}

	public static class PrototypeClient {

		private final AtomicInteger calls = new AtomicInteger();

		public int calls() {
			return this.calls.get();
		}

		@Retryable(policy = "network")
		public String fetch() throws ConnectException {
			this.calls.incrementAndGet();
			throw new ConnectException("refused");
		}

	}

	/** Holds scheduled attempts instead of running them: calls stay waiting. */
	static class HoldingClock extends ManualClock {

		@Override
		public java.util.concurrent.Future<?> schedule(Runnable task, long delayNanos) {
			return new CompletableFuture<Void>();
		}

	}

	public static class AsyncClient {

		@Retryable(policy = "network")
		public CompletableFuture<String> fetch(String url) {
			return CompletableFuture.failedFuture(new ConnectException("refused " + url));
		}

	}

	public static class ThrowingReactiveClient {

		private final AtomicInteger invocations = new AtomicInteger();

		@Retryable(policy = "network")
		@CircuitBreaker(name = "stock")
		public Mono<String> price(String sku) throws ConnectException {
			int invocation = this.invocations.incrementAndGet();
			if (invocation == 1) {
				throw new ConnectException("refused before any publisher");
			}
			return Mono.just("9.99 on invocation " + invocation);
		}

		@CircuitBreaker(name = "stock", fallback = "cached")
		public Mono<String> alwaysThrows() throws ConnectException {
			throw new ConnectException("refused");
		}

		Mono<String> cached(Throwable failure) {
			return Mono.just("cached");
		}

	}

}
