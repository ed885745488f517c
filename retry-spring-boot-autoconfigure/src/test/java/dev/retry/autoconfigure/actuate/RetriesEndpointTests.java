package dev.retry.autoconfigure.actuate;

import java.net.ConnectException;
import java.time.Duration;
import java.util.Map;

import dev.retry.autoconfigure.actuate.RetriesEndpoint.PolicyDescriptor;
import dev.retry.autoconfigure.config.MethodRegistry;
import dev.retry.autoconfigure.config.PolicyAssembler;
import dev.retry.autoconfigure.config.PolicyRegistry;
import dev.retry.autoconfigure.config.RetryTuning;
import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.autoconfigure.config.RetryProperties;
import dev.retry.event.CallTarget;
import dev.retry.execution.RetryRuntime;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

class RetriesEndpointTests {

	private final ManualClock clock = new ManualClock();

	private final RetryActivity activity = new RetryActivity(this.clock);

	private final RetriesEndpoint endpoint = endpoint(Map.of("retry.policies.payments.max-attempts", "4",
			"retry.policies.payments.budget.ratio", "0.2"));

	private RetriesEndpoint endpoint(Map<String, Object> properties) {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources().addFirst(new MapPropertySource("test properties", properties));
		RetryProperties bound = Binder.get(environment).bindOrCreate("retry", RetryProperties.class);
		PolicyRegistry policies = new PolicyAssembler(bound, environment, null).assemble();
		return new RetriesEndpoint(policies, new MethodRegistry(this.clock), this.activity,
				tuning(environment, new CircuitBreakerRegistry(Map.of())));
	}

	/** Runtime tuning over an environment, with no annotated method to plan anew. */
	static RetryTuning tuning(StandardEnvironment environment, CircuitBreakerRegistry breakers) {
		RetryProperties bound = Binder.get(environment).bindOrCreate("retry", RetryProperties.class);
		return new RetryTuning(environment, null, new PolicyAssembler(bound, environment, null).assemble(), breakers,
				(policies, changed) -> () -> {
				}, java.time.Clock.systemUTC());
	}

	@Test
	void eachValueNamesItsSource() {
		PolicyDescriptor payments = this.endpoint.policy("payments");

		assertThat(payments.values().get("max-attempts").value()).isEqualTo(4);
		assertThat(payments.values().get("max-attempts").source()).isEqualTo("\"retry.policies.payments.max-attempts\" from property source \"test properties\"");
		assertThat(payments.values().get("base-delay").value()).isEqualTo("1s");
		assertThat(payments.values().get("base-delay").source()).isEqualTo("library default");
		assertThat(payments.values().get("base-delay").property()).isEqualTo("retry.defaults.base-delay");
		assertThat(this.endpoint.policy("network").values().get("max-delay").source()).isEqualTo("preset network");
	}

	@Test
	void unknownPolicyIsNullSoA404() {
		assertThat(this.endpoint.policy("netwrk")).isNull();
	}

	@Test
	void listsEveryPolicy() {
		assertThat(this.endpoint.retries().policies()).containsKeys("default", "network", "fast", "aggressive",
				"gentle", "payments");
	}

	@Test
	void showsCallsWaitingForARetryUntilTheyEnd() {
		CallTarget target = new CallTarget("Inventory.fetch", "network");
		this.activity.onRetryScheduled(target, 2, 3, Duration.ofSeconds(2), new ConnectException("refused"));
		this.clock.advance(Duration.ofMillis(500));

		assertThat(this.endpoint.retries().waiting()).containsExactly(new RetryActivity.WaitingCall("Inventory.fetch",
				"network", 2, 3, 1500, "java.net.ConnectException: refused"));

		this.activity.onCompleted(target, dev.retry.event.Outcome.SUCCESS_AFTER_RETRY, 2, null);
		assertThat(this.endpoint.retries().waiting()).isEmpty();
	}

	@Test
	void aCallWaitingAfterARejectedResultShowsTheResult() {
		CallTarget target = new CallTarget("JobClient.status", "jobs");
		this.activity.onRetryScheduled(target, 2, 3, Duration.ofSeconds(1), new dev.retry.RejectedResultException("PENDING"));

		assertThat(this.endpoint.retries().waiting()).singleElement()
			.extracting(RetryActivity.WaitingCall::lastError)
			.isEqualTo("dev.retry.RejectedResultException: rejected result: PENDING");
	}

	@Test
	void showsEachWaitingAsynchronousCallThoughOneThreadStartedThemAll() {
		java.util.List<Runnable> held = new java.util.concurrent.CopyOnWriteArrayList<>();
		dev.retry.execution.RetryExecutor executor = dev.retry.execution.RetryExecutor
			.builder("Prices.fetch", dev.retry.policy.RetryPolicy.builder("network").build())
			.runtime(RetryRuntime.defaults()
					.withTicker(this.clock)
					.withListeners(java.util.List.of(this.activity))
					.withScheduler((task, delayNanos) -> {
						held.add(task);
						return new java.util.concurrent.CompletableFuture<>();
					}))
			.build();

		for (int i = 0; i < 2; i++) {
			executor.callAsync(null, (ignored, attempt) -> java.util.concurrent.CompletableFuture
				.failedFuture(new ConnectException("refused")), null);
		}

		assertThat(held).hasSize(2);
		assertThat(this.endpoint.retries().waiting()).extracting(RetryActivity.WaitingCall::method)
			.containsExactly("Prices.fetch", "Prices.fetch");
	}

}
