package dev.retry.operations;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.CircuitBreakerOpenException;
import dev.retry.RetryExhaustedException;
import dev.retry.annotation.CircuitBreaker;
import dev.retry.autoconfigure.RetryAutoConfiguration;
import dev.retry.autoconfigure.RetryDisabledAutoConfiguration;
import dev.retry.autoconfigure.actuate.RetriesEndpoint;
import dev.retry.autoconfigure.actuate.RetryActivity;
import dev.retry.autoconfigure.actuate.RetryActuatorAutoConfiguration;
import dev.retry.autoconfigure.actuate.RetryEventsEndpoint;
import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.autoconfigure.config.MethodRegistry;
import dev.retry.autoconfigure.config.MethodRegistry.AnnotatedMethod;
import dev.retry.autoconfigure.config.RetryTuning;
import dev.retry.autoconfigure.metrics.RetryMetricsAutoConfiguration;
import dev.retry.autoconfigure.observation.RetryObservationAutoConfiguration;
import dev.retry.breaker.State;
import dev.retry.event.CallTarget;
import dev.retry.event.Outcome;
import dev.retry.event.RetryListener;
import dev.retry.execution.RetryContext;
import dev.retry.time.ManualClock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The programmatic API: every call style under the configured policies and breakers, the same
 * breaker objects as the annotations, runtime tuning of an operation already made, and the
 * endpoint.
 */
class RetryOperationsTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class, RetryMetricsAutoConfiguration.class,
				RetryActuatorAutoConfiguration.class))
		.withBean(SimpleMeterRegistry.class)
		.withBean(ManualClock.class)
		.withBean(GuardedService.class)
		.withPropertyValues("retry.policies.network.jitter=none", "retry.circuit-breakers.inventory.failure-threshold=2",
				"retry.circuit-breakers.inventory.open-duration=10s", "retry.policies.wrapping.on-exhausted=wrap",
				"management.endpoints.web.exposure.include=*");

	@Test
	void getRetriesUnderThePolicyAndCountsUnderTheOperationsName() {
		this.runner.run((context) -> {
			RetryOperations inventory = retries(context).policy("network").named("Inventory.stock");
			Flaky flaky = new Flaky(2);

			assertThat(inventory.get(flaky::unchecked)).isEqualTo("answer 3");

			assertThat(context.getBean(ManualClock.class).sleeps()).containsExactly(Duration.ofSeconds(1),
					Duration.ofSeconds(2));
			assertThat(calls(context, "Inventory.stock", "success_after_retry")).isEqualTo(1);
			assertThat(context.getBean(MeterRegistry.class)
				.get("retry.calls")
				.tag("method", "Inventory.stock")
				.tag("outcome", "success_after_retry")
				.counter()
				.getId()
				.getTag("policy")).isEqualTo("network");
		});
	}

	@Test
	void theDocumentedExampleRunsEveryCallStyleUnderThePolicyAndTheBreaker() throws Exception {
		this.runner.run((context) -> {
			Retries retries = retries(context);
			StockClient client = new StockClient();
			List<String> sent = new CopyOnWriteArrayList<>();
			Sender sender = new Sender(sent);
			String sku = "s1";
			String message = "restock s1";
			Flux<Item> items = client.items();
			// tag::programmatic[]
			RetryOperations inventory = retries.policy("network")   // a configured policy; unknown: IllegalArgumentException listing the known
				.circuitBreaker("inventory")                         // optional: through a configured breaker
				.named("Inventory.stock");                           // the `method` tag, log and endpoint name
			Stock stock = inventory.get(() -> client.stock(sku));    // Supplier: runtime exceptions as the annotation rethrows them
			Stock other = inventory.call(() -> client.stockChecked(sku)); // Callable: throws Exception
			inventory.run(() -> sender.send(message));
			CompletableFuture<Stock> later = inventory.getAsync(() -> client.stockAsync(sku));
			Mono<Stock> mono = inventory.mono(client.stockMono(sku));
			Flux<Item> flux = inventory.flux(items);
			RetryOperations breakerOnly = retries.circuitBreaker("inventory");
			// end::programmatic[]

			assertThat(stock).isEqualTo(new Stock(sku, 2));
			assertThat(other).isEqualTo(new Stock(sku, 2));
			assertThat(sent).containsExactly(message);
			assertThat(later.get(5, TimeUnit.SECONDS)).isEqualTo(new Stock(sku, 2));
			assertThat(mono.block(Duration.ofSeconds(5))).isEqualTo(new Stock(sku, 2));
			assertThat(flux.collectList().block(Duration.ofSeconds(5))).containsExactly(new Item("a"), new Item("b"));
			assertThat(calls(context, "Inventory.stock", "success_after_retry")).as("each style failed once, then answered")
				.isEqualTo(6);
			assertThat(breakerOnly.name()).isEqualTo("inventory");
			assertThat(breakerOnly.get(() -> "through the breaker")).isEqualTo("through the breaker");
		});
	}

	@Test
	void withoutANameAnOperationIsNamedAfterItsPolicy() {
		this.runner.run((context) -> {
			RetryOperations network = retries(context).policy("network");

			assertThat(network.name()).isEqualTo("network");
			assertThat(network.get(new Flaky(0)::unchecked)).isEqualTo("answer 1");
			assertThat(calls(context, "network", "success")).isEqualTo(1);
			assertThat(retries(context).circuitBreaker("inventory").name()).isEqualTo("inventory");
			assertThat(network.circuitBreaker("inventory").name()).isEqualTo("network");
			assertThat(network.named("Inventory.stock").circuitBreaker("inventory").name()).isEqualTo("Inventory.stock");
		});
	}

	@Test
	void callLetsCheckedExceptionsThroughAsThrownAndRetriesTransientOnes() throws Exception {
		this.runner.run((context) -> {
			RetryOperations inventory = retries(context).policy("network");
			Flaky flaky = new Flaky(2);
			assertThat(inventory.call(flaky::checked)).isEqualTo("answer 3");

			IOException permanent = new IOException("disk full");
			assertThatThrownBy(() -> inventory.call(() -> {
				throw permanent;
			})).isSameAs(permanent);

			Flaky down = new Flaky(10);
			Throwable last = catchThrowable(() -> inventory.call(down::checked));
			assertThat(last).isInstanceOf(ConnectException.class).isSameAs(down.failures.get(2));
		});
	}

	@Test
	void nonTransientFailureIsRethrownAsTheSameInstanceAfterOneAttempt() {
		this.runner.run((context) -> {
			IllegalArgumentException invalid = new IllegalArgumentException("no such sku");
			AtomicInteger attempts = new AtomicInteger();

			assertThatThrownBy(() -> retries(context).policy("network").get(() -> {
				attempts.incrementAndGet();
				throw invalid;
			})).isSameAs(invalid);
			assertThat(attempts).hasValue(1);
			assertThat(calls(context, "network", "not_retryable")).isEqualTo(1);
		});
	}

	@Test
	void exhaustedUnderWrapIsAnUncheckedRetryExhaustedException() {
		this.runner.run((context) -> {
			Flaky down = new Flaky(10);

			assertThatExceptionOfType(RetryExhaustedException.class)
				.isThrownBy(() -> retries(context).policy("wrapping").named("Payments.charge").call(down::checked))
				.withMessageStartingWith("Payments.charge failed after 3 attempts")
				.withCause(down.failures.get(2));
		});
	}

	@Test
	void runRetriesARunnableAndTheRetryContextIsCurrentInside() {
		this.runner.run((context) -> {
			List<Integer> seen = new CopyOnWriteArrayList<>();
			AtomicInteger calls = new AtomicInteger();

			retries(context).policy("network").run(() -> {
				seen.add(RetryContext.current().getAttempt());
				if (calls.incrementAndGet() < 3) {
					throw new UncheckedIOException(new ConnectException("refused"));
				}
			});

			assertThat(seen).containsExactly(1, 2, 3);
		});
	}

	@Test
	void getAsyncRetriesAFailedStageOnScheduledWaits() throws Exception {
		this.runner.run((context) -> {
			Flaky flaky = new Flaky(2);

			CompletableFuture<String> stock = retries(context).policy("network").named("Inventory.stockAsync")
				.getAsync(flaky::async);

			assertThat(stock.get(5, TimeUnit.SECONDS)).isEqualTo("answer 3");
			assertThat(context.getBean(ManualClock.class).sleeps()).containsExactly(Duration.ofSeconds(1),
					Duration.ofSeconds(2));
			assertThat(calls(context, "Inventory.stockAsync", "success_after_retry")).isEqualTo(1);
		});
	}

	@Test
	void cancellingTheFutureCancelsTheRunningAttempt() {
		this.runner.run((context) -> {
			CompletableFuture<String> running = new CompletableFuture<>();
			RetryOperations operations = retries(context).policy("network");

			CompletableFuture<String> call = operations.getAsync(() -> running);
			call.cancel(true);

			assertThat(running).isCancelled();
		});
	}

	@Test
	void getAsyncWhoseSupplierThrowsOrReturnsNoStageStillEnds() throws Exception {
		this.runner.run((context) -> {
			RetryOperations operations = retries(context).policy("network").named("Inventory.starting");
			Flaky flaky = new Flaky(1);

			CompletableFuture<String> thrownThenAnswered = operations
				.getAsync(() -> CompletableFuture.completedFuture(flaky.unchecked()));
			assertThat(thrownThenAnswered.get(5, TimeUnit.SECONDS)).as("a supplier throwing before its stage is retried")
				.isEqualTo("answer 2");

			CompletableFuture<String> none = operations.getAsync(() -> null);
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> none.get(5, TimeUnit.SECONDS))
				.withCauseInstanceOf(NullPointerException.class);
		});
	}

	@Test
	void getAsyncRetriesMinimalStagesAndCancellingACallOnOneEndsIt() throws Exception {
		this.runner.run((context) -> {
			RetryOperations network = retries(context).policy("network");
			AtomicInteger attempts = new AtomicInteger();

			CompletableFuture<String> retried = network.getAsync(() -> (attempts.incrementAndGet() == 1)
					? CompletableFuture.<String>failedFuture(new ConnectException("refused")).minimalCompletionStage()
					: CompletableFuture.completedFuture("answer").minimalCompletionStage());
			assertThat(retried.get(5, TimeUnit.SECONDS)).isEqualTo("answer");
			assertThat(attempts).hasValue(2);

			CompletableFuture<String> hanging = new CompletableFuture<>();
			CompletableFuture<String> call = network.getAsync(hanging::minimalCompletionStage);
			assertThat(call.cancel(true)).isTrue();
			assertThat(call).isCancelled();
		});
	}

	@Test
	void monoThroughAnOpenBreakerIsRejectedWithoutSubscribingItsSource() {
		this.runner.run((context) -> {
			RetryOperations breaker = retries(context).circuitBreaker("inventory");
			Flaky down = new Flaky(10);
			for (int i = 0; i < 2; i++) {
				assertThatExceptionOfType(UncheckedIOException.class).isThrownBy(() -> breaker.get(down::unchecked));
			}
			AtomicInteger subscriptions = new AtomicInteger();

			Mono<String> rejected = breaker.mono(Mono.fromCallable(() -> "sub " + subscriptions.incrementAndGet()));

			assertThatExceptionOfType(CircuitBreakerOpenException.class)
				.isThrownBy(() -> rejected.block(Duration.ofSeconds(5)));
			assertThat(subscriptions).hasValue(0);
		});
	}

	@Test
	void monoIsRetriedByResubscription() {
		this.runner.run((context) -> {
			AtomicInteger subscriptions = new AtomicInteger();
			Mono<String> source = Mono.defer(() -> (subscriptions.incrementAndGet() < 3)
					? Mono.error(new ConnectException("refused")) : Mono.just("answer " + subscriptions.get()));

			Mono<String> retried = retries(context).policy("network").named("Inventory.mono").mono(source);

			assertThat(subscriptions).as("nothing runs before a subscription").hasValue(0);
			assertThat(retried.block(Duration.ofSeconds(5))).isEqualTo("answer 3");
			assertThat(calls(context, "Inventory.mono", "success_after_retry")).isEqualTo(1);
		});
	}

	@Test
	void fluxIsRetriedFromItsStart() {
		this.runner.run((context) -> {
			AtomicInteger subscriptions = new AtomicInteger();
			Flux<Integer> source = Flux.defer(() -> (subscriptions.incrementAndGet() < 2)
					? Flux.concat(Flux.just(1), Flux.error(new ConnectException("reset")))
					: Flux.just(1, 2, 3));

			assertThat(retries(context).policy("network").flux(source).collectList().block(Duration.ofSeconds(5)))
				.containsExactly(1, 1, 2, 3);
		});
	}

	@Test
	void disposingASubscriptionWaitingForItsRetryEndsTheCall() {
		Heard heard = new Heard();
		realTime(heard).run((context) -> {
			AtomicInteger subscriptions = new AtomicInteger();
			Mono<String> source = Mono.defer(() -> {
				subscriptions.incrementAndGet();
				return Mono.error(new ConnectException("refused"));
			});

			Disposable subscription = retries(context).policy("slow").mono(source).subscribe();
			Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> heard.scheduled.get() == 1);
			subscription.dispose();

			Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> heard.cancelled.get() == 1);
			assertThat(subscriptions).hasValue(1);
		});
	}

	@Test
	void aCallerGivingUpOnAFutureWaitingForItsRetryEndsTheCall() {
		Heard heard = new Heard();
		realTime(heard).withConfiguration(AutoConfigurations.of(RetryActuatorAutoConfiguration.class))
			.withPropertyValues("management.endpoints.web.exposure.include=retries")
			.run((context) -> {
			AtomicInteger attempts = new AtomicInteger();
			CompletableFuture<String> call = retries(context).policy("slow").named("Inventory.slow").getAsync(() -> {
				attempts.incrementAndGet();
				return CompletableFuture.failedFuture(new ConnectException("refused"));
			});
			Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> heard.scheduled.get() == 1);
			assertThat(context.getBean(RetriesEndpoint.class).retries().waiting()).singleElement()
				.extracting(RetryActivity.WaitingCall::method)
				.isEqualTo("Inventory.slow");

			call.orTimeout(10, TimeUnit.MILLISECONDS);

			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> call.get(5, TimeUnit.SECONDS))
				.withCauseInstanceOf(java.util.concurrent.TimeoutException.class);
			Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> heard.cancelled.get() == 1);
			assertThat(attempts).as("the retry an hour away is dropped, not made").hasValue(1);
			assertThat(context.getBean(RetriesEndpoint.class).retries().waiting()).isEmpty();
		});
	}

	@Test
	void closingTheContextEndsAFutureWaitingForItsRetryWithItsLastFailure() {
		Heard heard = new Heard();
		realTime(heard).run((context) -> {
			ConnectException refused = new ConnectException("refused");
			CompletableFuture<String> call = retries(context).policy("slow")
				.getAsync(() -> CompletableFuture.failedFuture(refused));
			Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> heard.scheduled.get() == 1);

			context.close();

			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> call.get(5, TimeUnit.SECONDS))
				.withCause(refused);
		});
	}

	@Test
	void aCallMadeAfterTheContextClosedStillEndsWithItsFailure() {
		Heard heard = new Heard();
		realTime(heard).run((context) -> {
			RetryOperations slow = retries(context).policy("slow").named("Inventory.afterClose");
			context.close();
			ConnectException refused = new ConnectException("refused");

			CompletableFuture<String> call = slow.getAsync(() -> CompletableFuture.failedFuture(refused));

			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> call.get(5, TimeUnit.SECONDS))
				.withCause(refused);
		});
	}

	@Test
	void synchronousCallsUnderAHedgingPolicyMakeOneAttemptAtATime() {
		this.runner.withPropertyValues("retry.policies.hedged.hedge-delay=50ms").run((context) -> {
			Flaky flaky = new Flaky(1);

			assertThat(retries(context).policy("hedged").get(flaky::unchecked)).isEqualTo("answer 2");
			assertThat(flaky.calls).hasValue(2);
		});
	}

	@Test
	void breakerIsTheSameObjectAnAnnotationNamingItUses() {
		this.runner.run((context) -> {
			RetryOperations breaker = retries(context).circuitBreaker("inventory");
			Flaky down = new Flaky(10);

			assertThatExceptionOfType(UncheckedIOException.class).isThrownBy(() -> breaker.get(down::unchecked));
			assertThatExceptionOfType(UncheckedIOException.class).isThrownBy(() -> breaker.get(down::unchecked));

			assertThat(context.getBean(CircuitBreakerRegistry.class).find("inventory").getState()).isEqualTo(State.OPEN);
			assertThatExceptionOfType(CircuitBreakerOpenException.class)
				.isThrownBy(() -> context.getBean(GuardedService.class).reserve());
			assertThatExceptionOfType(CircuitBreakerOpenException.class).isThrownBy(() -> breaker.get(down::unchecked));
			assertThat(down.calls).hasValue(2);
		});
	}

	@Test
	void policyWithABreakerPassesEachAttemptThroughTheBreakerAndStopsWhenItOpens() {
		this.runner.run((context) -> {
			Flaky down = new Flaky(10);

			Throwable failure = catchThrowable(
					() -> retries(context).policy("network").circuitBreaker("inventory").get(down::unchecked));

			assertThat(failure).as("the last real failure is its cause").isInstanceOf(CircuitBreakerOpenException.class)
				.hasCause(down.failures.get(1));
			assertThat(down.calls).as("two failures open the breaker; the third attempt is never made").hasValue(2);
		});
	}

	@Test
	void getAsyncIsHedgedUnderAPolicyThatHedges() throws Exception {
		this.runner.withPropertyValues("retry.policies.hedged.hedge-delay=50ms").run((context) -> {
			CompletableFuture<String> hung = new CompletableFuture<>();
			AtomicInteger started = new AtomicInteger();

			CompletableFuture<String> call = retries(context).policy("hedged").getAsync(
					() -> (started.incrementAndGet() == 1) ? hung : CompletableFuture.completedFuture("the hedge"));

			assertThat(call.get(5, TimeUnit.SECONDS)).isEqualTo("the hedge");
			assertThat(hung).as("the slower attempt is cancelled").isCancelled();
			assertThat(context.getBean(MeterRegistry.class).get("retry.hedges").tag("method", "hedged")
				.tag("result", "won").counter().count()).isEqualTo(1);
		});
	}

	@Test
	void aPolicysRetryBudgetIsSharedWithTheAnnotatedMethodsUsingIt() {
		this.runner.withPropertyValues("retry.policies.network.budget.ratio=0.1",
				"retry.policies.network.budget.min-retries-per-second=1", "retry.policies.network.budget.window=1s",
				"retry.policies.network.base-delay=0", "retry.policies.network.max-delay=0")
			.withBean(BudgetedService.class)
			.run((context) -> {
				// The window allows one retry: the annotated method takes it, the operation finds none left.
				assertThat(context.getBean(BudgetedService.class).fetch(new Flaky(1))).isEqualTo("answer 2");
				Flaky flaky = new Flaky(1);

				assertThatExceptionOfType(UncheckedIOException.class)
					.isThrownBy(() -> retries(context).policy("network").get(flaky::unchecked));
				assertThat(flaky.calls).hasValue(1);
				assertThat(calls(context, "network", "budget_exhausted")).isEqualTo(1);
			});
	}

	@Test
	void unknownPolicyOrBreakerIsRefusedNamingTheKnownOnes() {
		this.runner.run((context) -> {
			Retries retries = retries(context);

			assertThatIllegalArgumentException().isThrownBy(() -> retries.policy("netwrk"))
				.withMessage("There is no retry policy named 'netwrk'. Known policies: aggressive, default, fast, gentle, "
						+ "network, wrapping. Use one of them, or define it under retry.policies.netwrk.");
			assertThatIllegalArgumentException().isThrownBy(() -> retries.circuitBreaker("inventroy"))
				.withMessageStartingWith("There is no circuit breaker named 'inventroy'. Configured circuit breakers: inventory.");
			assertThatIllegalArgumentException().isThrownBy(() -> retries.policy("network").circuitBreaker("x"))
				.withMessageContaining("There is no circuit breaker named 'x'");
			assertThatIllegalArgumentException().isThrownBy(() -> retries.policy("network").named(" "))
				.withMessage("The operation name must not be empty, was ' '.");
			context.getBean(CircuitBreakerRegistry.class).getOrCreate("InventoryClient#stock(String)");
			assertThatIllegalArgumentException()
				.isThrownBy(() -> retries.circuitBreaker("InventoryClient#stock(String)"))
				.as("a breaker made on demand for Spring Cloud is not a configured one")
				.withMessageStartingWith("There is no circuit breaker named 'InventoryClient#stock(String)'. "
						+ "Configured circuit breakers: inventory.");
		});
	}

	@Test
	void reTuningAPolicyAppliesToTheNextCallOfAnOperationAlreadyMade() {
		this.runner.run((context) -> {
			RetryOperations inventory = retries(context).policy("network").named("Inventory.stock");
			AtomicInteger subscriptions = new AtomicInteger();
			Mono<String> madeBefore = inventory.mono(Mono.defer(() -> (subscriptions.incrementAndGet() < 5)
					? Mono.error(new ConnectException("refused")) : Mono.just("answer " + subscriptions.get())));
			assertThatExceptionOfType(UncheckedIOException.class).isThrownBy(() -> inventory.get(new Flaky(4)::unchecked));

			RetriesEndpoint endpoint = context.getBean(RetriesEndpoint.class);
			assertThat(endpoint.override("network", Map.of("max-attempts", "5")).getStatus()).isEqualTo(200);

			assertThat(inventory.get(new Flaky(4)::unchecked)).isEqualTo("answer 5");
			assertThat(madeBefore.block(Duration.ofSeconds(5))).isEqualTo("answer 5");
			assertThat(retries(context).policy("network").named("Inventory.stock").get(new Flaky(4)::unchecked))
				.isEqualTo("answer 5");

			assertThat(endpoint.clear("network").getStatus()).isEqualTo(200);
			assertThatExceptionOfType(UncheckedIOException.class).as("back to the configured 3 attempts")
				.isThrownBy(() -> inventory.get(new Flaky(4)::unchecked));
		});
	}

	@Test
	void endpointListsEachNamedOperationOnceBesideTheAnnotatedMethods() {
		this.runner.run((context) -> {
			for (int i = 0; i < 1000; i++) {
				retries(context).policy("network").circuitBreaker("inventory").named("Inventory.stock");
			}
			RetryOperations unnamed = retries(context).policy("fast");

			RetriesEndpoint.RetriesDescriptor retries = context.getBean(RetriesEndpoint.class).retries();
			assertThat(retries.operations()).singleElement().satisfies((operation) -> {
				assertThat(operation.method()).isEqualTo("Inventory.stock");
				assertThat(operation.policy()).isEqualTo("network");
				assertThat(operation.circuitBreaker()).isEqualTo("inventory");
				assertThat(operation.interceptors()).containsExactly("retry(network)", "circuitBreaker(inventory)");
			});
			assertThat(retries.methods()).extracting(AnnotatedMethod::method).containsExactly("GuardedService.reserve");
			assertThat(retries.policies().get("network").operations()).containsExactly("Inventory.stock");

			unnamed.get(() -> "now");
			assertThat(context.getBean(MethodRegistry.class).operations()).extracting(AnnotatedMethod::method)
				.containsExactly("Inventory.stock", "fast");
		});
	}

	@Test
	void eventsOfAnOperationAreRecordedUnderItsName() {
		this.runner.run((context) -> {
			Flaky down = new Flaky(10);
			assertThatExceptionOfType(UncheckedIOException.class)
				.isThrownBy(() -> retries(context).policy("network").named("Inventory.stock").get(down::unchecked));

			assertThat(context.getBean(RetryEventsEndpoint.class).events("Inventory.stock", null, null).events())
				.isNotEmpty();
		});
	}

	@Test
	void eachCallIsAnObservationNamedAfterTheOperationWithItsAttempts() {
		List<String> stopped = new CopyOnWriteArrayList<>();
		ObservationRegistry registry = ObservationRegistry.create();
		registry.observationConfig().observationHandler(new ObservationHandler<Observation.Context>() {
			@Override
			public boolean supportsContext(Observation.Context context) {
				return true;
			}

			@Override
			public void onStop(Observation.Context context) {
				stopped.add(context.getContextualName() + " " + context.getLowCardinalityKeyValue("method").getValue());
			}
		});
		this.runner.withConfiguration(AutoConfigurations.of(RetryObservationAutoConfiguration.class))
			.withBean(ObservationRegistry.class, () -> registry)
			.run((context) -> {
				assertThat(retries(context).policy("network").named("Inventory.stock").get(new Flaky(1)::unchecked))
					.isEqualTo("answer 2");

				assertThat(stopped).containsExactly("retry Inventory.stock attempt 1 Inventory.stock",
						"retry Inventory.stock attempt 2 Inventory.stock", "retry Inventory.stock Inventory.stock");
			});
	}

	@Test
	void aListenerThatThrowsChangesNothingForTheCaller() {
		this.runner.withBean(ThrowingListener.class).run((context) -> {
			RetryOperations inventory = retries(context).policy("network");

			assertThat(inventory.get(new Flaky(2)::unchecked)).isEqualTo("answer 3");
			assertThat(inventory.getAsync(new Flaky(2)::async).get(5, TimeUnit.SECONDS)).isEqualTo("answer 3");
			assertThat(context.getBean(ThrowingListener.class).calls).hasPositiveValue();
		});
	}

	@Test
	void oneOperationServesManyThreadsAtOnce() throws Exception {
		this.runner.run((context) -> {
			RetryOperations inventory = retries(context).policy("network").named("Inventory.stock");
			ExecutorService pool = Executors.newFixedThreadPool(8);
			try {
				List<Future<List<String>>> results = new ArrayList<>();
				for (int thread = 0; thread < 8; thread++) {
					int id = thread;
					results.add(pool.submit(() -> {
						List<String> answers = new ArrayList<>();
						for (int call = 0; call < 500; call++) {
							// Every other call fails once first, on its own counter.
							Flaky flaky = new Flaky(call % 2);
							answers.add(id + ":" + inventory.get(flaky::unchecked));
						}
						return answers;
					}));
				}
				for (int thread = 0; thread < 8; thread++) {
					List<String> answers = results.get(thread).get(60, TimeUnit.SECONDS);
					assertThat(answers).hasSize(500).allMatch((answer) -> answer.matches("\\d:answer [12]"));
				}
			}
			finally {
				pool.shutdownNow();
			}
			assertThat(calls(context, "Inventory.stock", "success")).isEqualTo(2000);
			assertThat(calls(context, "Inventory.stock", "success_after_retry")).isEqualTo(2000);
		});
	}

	@Test
	void manyThreadsCallingOneOperationWhileItsPolicyIsReTunedAllGetAnAnswerAndAreCountedOnce() throws Exception {
		this.runner.run((context) -> {
			RetryOperations inventory = retries(context).policy("network").named("Inventory.tuned");
			RetryTuning tuning = context.getBean(RetryTuning.class);
			ExecutorService pool = Executors.newFixedThreadPool(8);
			try {
				List<Future<Integer>> results = new ArrayList<>();
				for (int thread = 0; thread < 8; thread++) {
					results.add(pool.submit(() -> {
						int answered = 0;
						for (int call = 0; call < 300; call++) {
							// Fails once, then answers: every plan in force (3 or 4 attempts) retries it.
							if (inventory.get(new Flaky(1)::unchecked).equals("answer 2")) {
								answered++;
							}
						}
						return answered;
					}));
				}
				for (int round = 0; round < 20; round++) {
					tuning.overridePolicy("network", Map.of("max-attempts", (round % 2 == 0) ? "4" : "3"), "test");
				}
				for (Future<Integer> result : results) {
					assertThat(result.get(60, TimeUnit.SECONDS)).isEqualTo(300);
				}
			}
			finally {
				pool.shutdownNow();
			}
			assertThat(calls(context, "Inventory.tuned", "success_after_retry"))
				.as("re-planning keeps the meters: no call lost to a counter registered anew").isEqualTo(2400);
			assertThat(context.getBean(MeterRegistry.class).find("retry.calls").tag("method", "Inventory.tuned").counters())
				.hasSize(Outcome.values().length);
		});
	}

	@Test
	void operationsMadeByManyThreadsWhileTheirPolicyIsReTunedAllRunUnderTheLastValues() throws Exception {
		this.runner.run((context) -> {
			Retries retries = retries(context);
			RetryTuning tuning = context.getBean(RetryTuning.class);
			List<RetryOperations> made = new CopyOnWriteArrayList<>();
			java.util.concurrent.atomic.AtomicBoolean tuned = new java.util.concurrent.atomic.AtomicBoolean();
			ExecutorService pool = Executors.newFixedThreadPool(4);
			try {
				List<Future<?>> makers = new ArrayList<>();
				for (int thread = 0; thread < 4; thread++) {
					int maker = thread;
					makers.add(pool.submit(() -> {
						// Made (and planned: named) while the policy changes, until the last change is done.
						for (int i = 0; !tuned.get() || i < 50; i++) {
							made.add(retries.policy("network").named("Made." + maker + "." + i));
						}
					}));
				}
				for (int round = 0; round < 10; round++) {
					tuning.overridePolicy("network", Map.of("max-attempts", (round % 2 == 0) ? "3" : "4"), "test");
				}
				tuned.set(true);
				for (Future<?> maker : makers) {
					maker.get(60, TimeUnit.SECONDS);
				}
			}
			finally {
				pool.shutdownNow();
			}
			// The last change set 4 attempts: a call failing 3 times answers under every operation.
			List<String> stale = made.stream().filter((operation) -> {
				try {
					operation.get(new Flaky(3)::unchecked);
					return false;
				}
				catch (UncheckedIOException ex) {
					return true;
				}
			}).map(RetryOperations::name).toList();
			assertThat(stale).as("operations left on a plan from before the last change (of %d)", made.size()).isEmpty();
		});
	}

	@Test
	void withRetriesTurnedOffTheApiIsStillThereAndEachCallIsMadeOnce() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class, RetryDisabledAutoConfiguration.class))
			.withPropertyValues("retry.enabled=false")
			.run((context) -> {
				Flaky flaky = new Flaky(1);

				assertThatThrownBy(() -> retries(context).policy("network").circuitBreaker("inventory").get(flaky::unchecked))
					.isSameAs(flaky.failures.get(0));
				assertThat(flaky.calls).hasValue(1);
				assertThat(retries(context).policy("anything").get(() -> "answer")).isEqualTo("answer");
			});
	}

	private static Retries retries(AssertableApplicationContext context) {
		return context.getBean(Retries.class);
	}

	private static double calls(AssertableApplicationContext context, String method, String outcome) {
		return context.getBean(MeterRegistry.class)
			.get("retry.calls")
			.tag("method", method)
			.tag("outcome", outcome)
			.counter()
			.count();
	}

	/** Real time: the starter's own scheduler, and a policy whose retry is an hour away. */
	private ApplicationContextRunner realTime(Heard heard) {
		return new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class))
			.withPropertyValues("retry.policies.slow.base-delay=1h", "retry.policies.slow.max-delay=1h")
			.withBean(Heard.class, () -> heard);
	}

	/** Fails its first {@code failures} calls with a transient failure, then answers. */
	static final class Flaky {

		final AtomicInteger calls = new AtomicInteger();

		final List<Exception> failures = new CopyOnWriteArrayList<>();

		private final int failing;

		Flaky(int failing) {
			this.failing = failing;
		}

		String checked() throws ConnectException {
			int call = this.calls.incrementAndGet();
			if (call <= this.failing) {
				ConnectException refused = new ConnectException("refused #" + call);
				this.failures.add(refused);
				throw refused;
			}
			return "answer " + call;
		}

		String unchecked() {
			try {
				return checked();
			}
			catch (ConnectException ex) {
				UncheckedIOException failure = new UncheckedIOException(ex);
				this.failures.set(this.failures.size() - 1, failure);
				throw failure;
			}
		}

		CompletableFuture<String> async() {
			try {
				return CompletableFuture.completedFuture(checked());
			}
			catch (ConnectException ex) {
				return CompletableFuture.failedFuture(ex);
			}
		}

	}

	record Stock(String sku, int attempt) {
	}

	record Item(String name) {
	}

	/** A client whose every call style fails its first attempt with a transient failure. */
	static final class StockClient {

		private final Map<String, AtomicInteger> attempts = new java.util.concurrent.ConcurrentHashMap<>();

		private Stock attempt(String style, String sku) throws ConnectException {
			int attempt = this.attempts.computeIfAbsent(style, (made) -> new AtomicInteger()).incrementAndGet();
			if (attempt == 1) {
				throw new ConnectException(style + " refused");
			}
			return new Stock(sku, attempt);
		}

		Stock stock(String sku) {
			try {
				return attempt("stock", sku);
			}
			catch (ConnectException ex) {
				throw new UncheckedIOException(ex);
			}
		}

		Stock stockChecked(String sku) throws ConnectException {
			return attempt("checked", sku);
		}

		CompletableFuture<Stock> stockAsync(String sku) {
			try {
				return CompletableFuture.completedFuture(attempt("async", sku));
			}
			catch (ConnectException ex) {
				return CompletableFuture.failedFuture(ex);
			}
		}

		Mono<Stock> stockMono(String sku) {
			return Mono.fromCallable(() -> attempt("mono", sku));
		}

		Flux<Item> items() {
			return Flux.defer(() -> {
				int attempt = this.attempts.computeIfAbsent("flux", (made) -> new AtomicInteger()).incrementAndGet();
				return (attempt == 1) ? Flux.error(new ConnectException("flux refused"))
						: Flux.just(new Item("a"), new Item("b"));
			});
		}

	}

	/** Sends a message, failing the first time. */
	static final class Sender {

		private final List<String> sent;

		private final AtomicInteger attempts = new AtomicInteger();

		Sender(List<String> sent) {
			this.sent = sent;
		}

		void send(String message) {
			if (this.attempts.incrementAndGet() == 1) {
				throw new UncheckedIOException(new ConnectException("send refused"));
			}
			this.sent.add(message);
		}

	}

	/** What calls told their listeners. */
	static class Heard implements RetryListener {

		final AtomicInteger scheduled = new AtomicInteger();

		final AtomicInteger cancelled = new AtomicInteger();

		@Override
		public void onRetryScheduled(CallTarget target, int nextAttempt, int maxAttempts, Duration delay,
				Throwable failure) {
			this.scheduled.incrementAndGet();
		}

		@Override
		public void onCancelled(CallTarget target, int attempts) {
			this.cancelled.incrementAndGet();
		}

	}

	/** A listener that throws from every callback. */
	static class ThrowingListener implements RetryListener {

		final AtomicInteger calls = new AtomicInteger();

		@Override
		public void onRetryScheduled(CallTarget target, int nextAttempt, int maxAttempts, Duration delay,
				Throwable failure) {
			this.calls.incrementAndGet();
			throw new IllegalStateException("listener broken");
		}

		@Override
		public void onAttemptFailed(CallTarget target, int attempt, Throwable failure) {
			throw new IllegalStateException("listener broken");
		}

		@Override
		public void onCompleted(CallTarget target, Outcome outcome, int attempts, Throwable failure) {
			throw new IllegalStateException("listener broken");
		}

	}

	/** An annotated method under the policy an operation uses. */
	static class BudgetedService {

		@dev.retry.annotation.Retryable(policy = "network")
		public String fetch(Flaky flaky) {
			return flaky.unchecked();
		}

	}

	/** An annotated bean naming the same breaker. */
	static class GuardedService {

		@CircuitBreaker(name = "inventory")
		public String reserve() {
			return "reserved";
		}

	}

}
