package dev.retry.autoconfigure.cloud;

import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.retry.CircuitBreakerOpenException;
import dev.retry.autoconfigure.BreakingService;
import dev.retry.autoconfigure.RetryAutoConfiguration;
import dev.retry.autoconfigure.actuate.CircuitBreakersEndpoint;
import dev.retry.autoconfigure.actuate.CircuitBreakersHealthIndicator;
import dev.retry.autoconfigure.actuate.RetryActuatorAutoConfiguration;
import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.autoconfigure.config.RetryTuning;
import dev.retry.autoconfigure.metrics.RetryMetricsAutoConfiguration;
import dev.retry.breaker.CircuitBreaker;
import dev.retry.breaker.CircuitBreakerListener;
import dev.retry.breaker.State;
import dev.retry.time.ManualClock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.cloud.client.circuitbreaker.CircuitBreakerFactory;
import org.springframework.cloud.client.circuitbreaker.ConfigBuilder;
import org.springframework.cloud.client.circuitbreaker.NoFallbackAvailableException;
import org.springframework.cloud.client.circuitbreaker.ReactiveCircuitBreaker;
import org.springframework.cloud.client.circuitbreaker.ReactiveCircuitBreakerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Spring Cloud's circuit breaker factories on our breakers, through the factories' own API as
 * OpenFeign and Gateway call it (those two run for real in retry-spring-cloud-tests).
 */
@ExtendWith(OutputCaptureExtension.class)
class SpringCloudCircuitBreakerTests {

	private static final String FEIGN_ID = "InventoryClient#stock(String)";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class, RetrySpringCloudAutoConfiguration.class))
		.withBean(ManualClock.class)
		.withPropertyValues("retry.circuit-breakers.inventory.failure-threshold=3",
				"retry.circuit-breakers.inventory.open-duration=30s");

	private final ApplicationContextRunner withActuator = this.runner
		.withConfiguration(AutoConfigurations.of(RetryMetricsAutoConfiguration.class,
				RetryActuatorAutoConfiguration.class))
		.withBean(SimpleMeterRegistry.class)
		.withPropertyValues("management.endpoints.web.exposure.include=circuitbreakers");

	private static final RuntimeException REFUSED = new IllegalStateException("downstream down",
			new ConnectException("Connection refused"));

	private static <T> Supplier<T> failing(AtomicInteger reached) {
		return () -> {
			reached.incrementAndGet();
			throw REFUSED;
		};
	}

	private static Supplier<String> answering(AtomicInteger reached) {
		return () -> {
			reached.incrementAndGet();
			return "stock";
		};
	}

	private static final Function<Throwable, String> WHAT_FAILED = (failure) -> (failure == REFUSED) ? "failed"
			: (failure instanceof CircuitBreakerOpenException open) ? "rejected by " + open.getBreakerName()
					: "other: " + failure;

	@Test
	void createNamesTheVeryBreakerAnAnnotationOfThatNameUses() {
		this.runner.withBean(BreakingService.class).run((context) -> {
			RetryCircuitBreakerFactory factory = context.getBean(RetryCircuitBreakerFactory.class);
			BreakingService service = context.getBean(BreakingService.class);
			for (int i = 0; i < 3; i++) {
				assertThatExceptionOfType(ConnectException.class).isThrownBy(service::breakerOnly);
			}
			AtomicInteger reached = new AtomicInteger();

			String answer = factory.create("inventory").run(answering(reached), WHAT_FAILED);

			assertThat(factory.create("inventory").breaker())
				.isSameAs(context.getBean(CircuitBreakerRegistry.class).find("inventory"));
			assertThat(answer).isEqualTo("rejected by inventory");
			assertThat(reached).hasValue(0);
			assertThat(context.getBean(CircuitBreakerRegistry.class).onDemandNames()).isEmpty();
		});
	}

	@Test
	void anIdWithNoConfigurationTakesTheDefaultEntryAndIsMadeOnce() {
		this.runner
			.withPropertyValues("retry.circuit-breakers.default.failure-threshold=2",
					"retry.circuit-breakers.default.open-duration=20s")
			.run((context) -> {
				RetryCircuitBreakerFactory factory = context.getBean(RetryCircuitBreakerFactory.class);
				CircuitBreaker breaker = factory.create(FEIGN_ID).breaker();

				assertThat(breaker.getName()).isEqualTo(FEIGN_ID);
				assertThat(breaker.getConfig().getFailureThreshold()).isEqualTo(2);
				assertThat(breaker.getConfig().getOpenDuration()).isEqualTo(Duration.ofSeconds(20));
				assertThat(breaker.getConfig().getMinimumCalls()).as("unset in default: the library's").isEqualTo(20);
				assertThat(factory.create(FEIGN_ID)).isSameAs(factory.create(FEIGN_ID));
				assertThat(context.getBean(RetryReactiveCircuitBreakerFactory.class).create(FEIGN_ID).breaker())
					.as("the reactive factory names the same breakers").isSameAs(breaker);
				assertThat(breaker).isNotSameAs(context.getBean(CircuitBreakerRegistry.class).find("default"));
				assertThat(context.getBean(CircuitBreakerRegistry.class).names())
					.containsExactly(FEIGN_ID, "default", "inventory");
			});
	}

	@Test
	void anIdWithCharactersSpringCannotBindPlainIsConfiguredInBrackets() {
		this.runner
			.withPropertyValues("retry.circuit-breakers[" + FEIGN_ID + "].failure-threshold=2",
					"retry.circuit-breakers.default.failure-threshold=9")
			.run((context) -> {
				CircuitBreaker breaker = context.getBean(RetryCircuitBreakerFactory.class).create(FEIGN_ID).breaker();

				assertThat(breaker).isSameAs(context.getBean(CircuitBreakerRegistry.class).find(FEIGN_ID));
				assertThat(breaker.getConfig().getFailureThreshold()).isEqualTo(2);
				assertThat(breaker.getConfig().getOpenDuration()).as("a configured entry: unset keys are the library's")
					.isEqualTo(Duration.ofSeconds(60));
				assertThat(context.getBean(CircuitBreakerRegistry.class).onDemandNames()).isEmpty();
			});
	}

	@Test
	void withoutADefaultEntryAnIdTakesTheLibraryDefaults() {
		this.runner.run((context) -> {
			CircuitBreaker breaker = context.getBean(RetryCircuitBreakerFactory.class).create("orders-route").breaker();

			assertThat(breaker.getConfig().getFailureThreshold()).isEqualTo(5);
			assertThat(breaker.getConfig().getOpenDuration()).isEqualTo(Duration.ofSeconds(60));
		});
	}

	@Test
	void theFallbackReceivesTheFailureItselfThenTheRejection() {
		this.runner.run((context) -> {
			org.springframework.cloud.client.circuitbreaker.CircuitBreaker breaker = context
				.getBean(RetryCircuitBreakerFactory.class)
				.create("inventory");
			AtomicInteger reached = new AtomicInteger();
			List<String> answers = new ArrayList<>();

			for (int i = 0; i < 5; i++) {
				answers.add(breaker.run(failing(reached), WHAT_FAILED));
			}

			assertThat(answers).containsExactly("failed", "failed", "failed", "rejected by inventory",
					"rejected by inventory");
			assertThat(reached).hasValue(3);
		});
	}

	@Test
	void withoutAFallbackTheFailureArrivesWrappedAsSpringCloudSays() {
		this.runner.run((context) -> {
			org.springframework.cloud.client.circuitbreaker.CircuitBreaker breaker = context
				.getBean(RetryCircuitBreakerFactory.class)
				.create("inventory");
			AtomicInteger reached = new AtomicInteger();

			for (int i = 0; i < 3; i++) {
				assertThat(catchThrowable(() -> breaker.run(failing(reached))))
					.isInstanceOf(NoFallbackAvailableException.class)
					.hasCauseReference(REFUSED);
			}
			assertThat(catchThrowable(() -> breaker.run(answering(reached))))
				.isInstanceOf(NoFallbackAvailableException.class)
				.cause()
				.isInstanceOf(CircuitBreakerOpenException.class);
			assertThat(reached).hasValue(3);
		});
	}

	@Test
	void anErrorIsNotTheFallbacksToAnswer() {
		this.runner.run((context) -> {
			org.springframework.cloud.client.circuitbreaker.CircuitBreaker breaker = context
				.getBean(RetryCircuitBreakerFactory.class)
				.create("inventory");
			StackOverflowError error = new StackOverflowError();
			List<Throwable> fallbackGot = new ArrayList<>();

			assertThat(catchThrowable(() -> breaker.run(() -> {
				throw error;
			}, (failure) -> {
				fallbackGot.add(failure);
				return "fallback";
			}))).isSameAs(error);
			assertThat(fallbackGot).isEmpty();
		});
	}

	@Test
	void exactlyHalfOpenCallsTrialsPassUnderConcurrencyAndTheirSuccessCloses() {
		this.runner.withPropertyValues("retry.circuit-breakers.default.failure-threshold=1",
				"retry.circuit-breakers.default.open-duration=10s", "retry.circuit-breakers.default.half-open-calls=2")
			.run((context) -> {
				org.springframework.cloud.client.circuitbreaker.CircuitBreaker breaker = context
					.getBean(RetryCircuitBreakerFactory.class)
					.create(FEIGN_ID);
				AtomicInteger reached = new AtomicInteger();
				breaker.run(failing(reached), WHAT_FAILED);
				context.getBean(ManualClock.class).advance(Duration.ofSeconds(10));
				CountDownLatch release = new CountDownLatch(1);
				AtomicInteger entered = new AtomicInteger();
				Supplier<String> held = () -> {
					entered.incrementAndGet();
					await(release);
					return "stock";
				};
				int threads = 16;
				ExecutorService pool = Executors.newFixedThreadPool(threads);
				CountDownLatch go = new CountDownLatch(1);
				List<Future<String>> answers = new ArrayList<>();
				try {
					for (int i = 0; i < threads; i++) {
						answers.add(pool.submit(() -> {
							go.await();
							return breaker.run(held, WHAT_FAILED);
						}));
					}
					go.countDown();
					org.awaitility.Awaitility.await()
						.atMost(Duration.ofSeconds(10))
						.until(() -> answers.stream().filter(Future::isDone).count() == threads - 2);
					assertThat(entered).as("trial calls that reached the downstream").hasValue(2);
					release.countDown();
					List<String> results = new ArrayList<>();
					for (Future<String> answer : answers) {
						results.add(answer.get(10, TimeUnit.SECONDS));
					}

					assertThat(results).filteredOn("stock"::equals).hasSize(2);
					assertThat(results).filteredOn(("rejected by " + FEIGN_ID)::equals).hasSize(threads - 2);
					assertThat(((CloudCircuitBreaker) breaker).breaker().getState()).isEqualTo(State.CLOSED);
				}
				finally {
					release.countDown();
					pool.shutdownNow();
				}
			});
	}

	@Test
	void aTrialThatAnswersTooSlowlyOpensTheBreakerAgain() {
		this.runner.withPropertyValues("retry.circuit-breakers.default.failure-threshold=1",
				"retry.circuit-breakers.default.open-duration=10s", "retry.circuit-breakers.default.slow-call-duration=2s")
			.run((context) -> {
				ManualClock clock = context.getBean(ManualClock.class);
				CloudCircuitBreaker breaker = context.getBean(RetryCircuitBreakerFactory.class).create(FEIGN_ID);
				breaker.run(failing(new AtomicInteger()), WHAT_FAILED);
				clock.advance(Duration.ofSeconds(10));

				String answer = breaker.run(() -> {
					clock.advance(Duration.ofSeconds(3));
					return "stock, late";
				}, WHAT_FAILED);

				assertThat(answer).as("the caller gets the answer").isEqualTo("stock, late");
				assertThat(breaker.breaker().getState()).isEqualTo(State.OPEN);
			});
	}

	@Test
	void aMonoFailureReachesTheFallbackAndRejectedSubscriptionsNeverSubscribeTheSource() {
		this.runner.run((context) -> {
			ReactiveCircuitBreaker breaker = context.getBean(RetryReactiveCircuitBreakerFactory.class)
				.create("inventory");
			AtomicInteger subscribed = new AtomicInteger();
			Mono<String> source = Mono.<String>error(REFUSED).doOnSubscribe((s) -> subscribed.incrementAndGet());
			List<String> answers = new ArrayList<>();

			Mono<String> call = breaker.run(source, (failure) -> Mono.just(WHAT_FAILED.apply(failure)));
			for (int i = 0; i < 5; i++) {
				answers.add(call.block(Duration.ofSeconds(5)));
			}

			assertThat(answers).containsExactly("failed", "failed", "failed", "rejected by inventory",
					"rejected by inventory");
			assertThat(subscribed).as("one subscription per call, none once open").hasValue(3);
		});
	}

	@Test
	void aMonoTrialClosesTheBreakerBeforeACallChainedOnItsValueAsksIt() {
		this.runner.withPropertyValues("retry.circuit-breakers.default.failure-threshold=1",
				"retry.circuit-breakers.default.open-duration=10s", "retry.circuit-breakers.default.half-open-calls=1")
			.run((context) -> {
				CloudReactiveCircuitBreaker breaker = context.getBean(RetryReactiveCircuitBreakerFactory.class)
					.create(FEIGN_ID);
				Function<Throwable, Mono<String>> fallback = (failure) -> Mono.just(WHAT_FAILED.apply(failure));
				breaker.run(Mono.error(REFUSED), fallback).block(Duration.ofSeconds(5));
				context.getBean(ManualClock.class).advance(Duration.ofSeconds(10));

				// flatMap asks the breaker for the next call as the trial's value arrives.
				String next = breaker.run(Mono.just("trial"), fallback)
					.flatMap((trial) -> breaker.run(Mono.just("after " + trial), fallback))
					.block(Duration.ofSeconds(5));

				assertThat(next).isEqualTo("after trial");
				assertThat(breaker.breaker().getState()).isEqualTo(State.CLOSED);
			});
	}

	@Test
	void withoutAFallbackAMonoFailsWithTheWrappedFailure() {
		this.runner.run((context) -> {
			ReactiveCircuitBreaker breaker = context.getBean(RetryReactiveCircuitBreakerFactory.class)
				.create("inventory");

			assertThat(catchThrowable(() -> breaker.run(Mono.error(REFUSED)).block(Duration.ofSeconds(5))))
				.isInstanceOf(NoFallbackAvailableException.class)
				.hasCauseReference(REFUSED);
		});
	}

	@Test
	void aFluxIsOneCallPerSubscriptionAndItsFallbackAnswersInstead() {
		this.runner.run((context) -> {
			ReactiveCircuitBreaker breaker = context.getBean(RetryReactiveCircuitBreakerFactory.class)
				.create("inventory");
			CircuitBreaker ours = context.getBean(CircuitBreakerRegistry.class).find("inventory");

			assertThat(breaker.run(Flux.just("a", "b", "c"), (failure) -> Flux.just("fallback"))
				.collectList()
				.block(Duration.ofSeconds(5))).containsExactly("a", "b", "c");
			assertThat(ours.getSuccessCount()).isEqualTo(1);
			for (int i = 0; i < 3; i++) {
				assertThat(breaker.run(Flux.concat(Flux.just("a"), Flux.error(REFUSED)),
						(failure) -> Flux.just(WHAT_FAILED.apply(failure)))
					.collectList()
					.block(Duration.ofSeconds(5))).containsExactly("a", "failed");
			}
			assertThat(breaker.run(Flux.just("a"), (failure) -> Flux.just(WHAT_FAILED.apply(failure)))
				.collectList()
				.block(Duration.ofSeconds(5))).containsExactly("rejected by inventory");
		});
	}

	@Test
	void aTrialSubscriptionCancelledBeforeAnAnswerGivesItsPermitBack() {
		this.runner.withPropertyValues("retry.circuit-breakers.default.failure-threshold=1",
				"retry.circuit-breakers.default.open-duration=10s")
			.run((context) -> {
				ReactiveCircuitBreaker breaker = context.getBean(RetryReactiveCircuitBreakerFactory.class)
					.create("route-a");
				CircuitBreaker ours = context.getBean(CircuitBreakerRegistry.class).find("route-a");
				breaker.run(Mono.error(REFUSED), (failure) -> Mono.just("failed")).block(Duration.ofSeconds(5));
				context.getBean(ManualClock.class).advance(Duration.ofSeconds(10));
				Sinks.One<String> never = Sinks.one();

				Disposable trial = breaker.run(never.asMono(), (failure) -> Mono.just(WHAT_FAILED.apply(failure)))
					.subscribe();
				assertThat(ours.getState()).isEqualTo(State.HALF_OPEN);
				assertThat(breaker.run(Mono.just("second"), (failure) -> Mono.just(WHAT_FAILED.apply(failure)))
					.block(Duration.ofSeconds(5))).as("the one trial permit is taken").isEqualTo("rejected by route-a");
				trial.dispose();

				assertThat(breaker.run(Mono.just("stock"), (failure) -> Mono.just(WHAT_FAILED.apply(failure)))
					.block(Duration.ofSeconds(5))).isEqualTo("stock");
				assertThat(ours.getState()).isEqualTo(State.CLOSED);
				assertThat(ours.getFailureCount()).as("the cancelled trial counted neither way").isEqualTo(1);
			});
	}

	@Test
	void runReturnsAtOnceAndTheCallHappensWhenSubscribed() {
		this.runner.run((context) -> {
			ReactiveCircuitBreaker breaker = context.getBean(RetryReactiveCircuitBreakerFactory.class)
				.create("inventory");
			Sinks.One<String> answer = Sinks.one();
			AtomicInteger subscribed = new AtomicInteger();

			Mono<String> call = breaker.run(answer.asMono().doOnSubscribe((s) -> subscribed.incrementAndGet()),
					(failure) -> Mono.just("fallback"));
			List<String> got = new CopyOnWriteArrayList<>();
			call.subscribe(got::add);
			assertThat(subscribed).hasValue(1);
			assertThat(got).isEmpty();
			answer.tryEmitValue("stock");

			assertThat(got).containsExactly("stock");
		});
	}

	@Test
	void listenersAndTheLogHearTheTransitionsOfABreakerMadeOnDemand(CapturedOutput output) {
		List<String> heard = new CopyOnWriteArrayList<>();
		this.runner.withPropertyValues("retry.circuit-breakers.default.failure-threshold=1")
			.withBean(CircuitBreakerListener.class,
					() -> (breaker, from, to, reason) -> heard.add(breaker + " " + from + " -> " + to))
			.run((context) -> {
				context.getBean(RetryCircuitBreakerFactory.class)
					.create(FEIGN_ID)
					.run(failing(new AtomicInteger()), WHAT_FAILED);

				assertThat(heard).containsExactly(FEIGN_ID + " CLOSED -> OPEN");
				assertThat(output).contains("Circuit breaker '" + FEIGN_ID + "' made on first use")
					.contains("Circuit breaker '" + FEIGN_ID + "' closed -> open: 1 consecutive failures");
			});
	}

	@Test
	void aBreakerMadeOnDemandIsListedMeteredAndInTheHealthDetails() {
		this.withActuator.run((context) -> {
			CircuitBreakersEndpoint endpoint = context.getBean(CircuitBreakersEndpoint.class);
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			assertThat(endpoint.breakers()).containsOnlyKeys("inventory");

			context.getBean(RetryCircuitBreakerFactory.class)
				.create(FEIGN_ID)
				.run(failing(new AtomicInteger()), WHAT_FAILED);

			assertThat(endpoint.breakers()).containsOnlyKeys(FEIGN_ID, "inventory");
			assertThat(endpoint.breaker(FEIGN_ID).calls().failure()).isEqualTo(1);
			assertThat(meters.get("circuitbreaker.state").tag("name", FEIGN_ID).tag("state", "closed").gauge().value())
				.isEqualTo(1);
			assertThat(meters.get("circuitbreaker.calls").tag("name", FEIGN_ID).tag("outcome", "failure")
				.functionCounter()
				.count()).isEqualTo(1);
			assertThat(context.getBean(CircuitBreakersHealthIndicator.class).health().getDetails())
				.containsKey(FEIGN_ID);
		});
	}

	@Test
	void theEndpointsNeverMakeABreaker() {
		this.withActuator.run((context) -> {
			CircuitBreakersEndpoint endpoint = context.getBean(CircuitBreakersEndpoint.class);

			assertThat(endpoint.breaker(FEIGN_ID)).isNull();
			assertThat(endpoint.transition(FEIGN_ID, Map.of("action", "open")).getStatus()).isEqualTo(404);
			assertThat(endpoint.transition(FEIGN_ID, Map.of("configuration.failure-threshold", "2")).getStatus())
				.isEqualTo(404);

			assertThat(context.getBean(CircuitBreakerRegistry.class).names()).containsExactly("inventory");
		});
	}

	@Test
	void aBreakerMadeOnDemandIsTunedByItsOwnKeysAndFollowsTheDefaultEntryForTheOthers() {
		String odd = "orders.v2,eu#find(Long)";
		this.withActuator.withPropertyValues("retry.circuit-breakers.default.open-duration=20s").run((context) -> {
			CircuitBreakersEndpoint endpoint = context.getBean(CircuitBreakersEndpoint.class);
			RetryCircuitBreakerFactory factory = context.getBean(RetryCircuitBreakerFactory.class);
			CircuitBreaker feign = factory.create(FEIGN_ID).breaker();
			CircuitBreaker orders = factory.create(odd).breaker();
			feign.forceOpen();

			assertThat(endpoint.transition(FEIGN_ID, Map.of("configuration.failure-threshold", "7")).getStatus())
				.isEqualTo(200);
			assertThat(endpoint.transition(odd, Map.of("configuration.half-open-calls", "3")).getStatus())
				.isEqualTo(200);
			context.getBean(RetryTuning.class).overrideBreaker("default", Map.of("open-duration", "5s"), "actuator");

			assertThat(feign.getConfig().getFailureThreshold()).isEqualTo(7);
			assertThat(feign.getConfig().getOpenDuration()).as("from default, changed").isEqualTo(Duration.ofSeconds(5));
			assertThat(feign.isForcedOpen()).as("state stays").isTrue();
			assertThat(orders.getConfig().getHalfOpenCalls()).isEqualTo(3);
			assertThat(orders.getConfig().getOpenDuration()).isEqualTo(Duration.ofSeconds(5));
			assertThat(context.getBean(CircuitBreakerRegistry.class).find("inventory").getConfig().getOpenDuration())
				.as("a configured breaker does not take default's keys").isEqualTo(Duration.ofSeconds(30));
		});
	}

	@Test
	void anInvalidOverrideOfABreakerMadeOnDemandChangesNothing() {
		this.withActuator.run((context) -> {
			CircuitBreakersEndpoint endpoint = context.getBean(CircuitBreakersEndpoint.class);
			CircuitBreaker feign = context.getBean(RetryCircuitBreakerFactory.class).create(FEIGN_ID).breaker();

			assertThat(endpoint.transition(FEIGN_ID, Map.of("configuration.minimum-calls", "500")).getStatus())
				.isEqualTo(400);
			assertThat(feign.getConfig().getMinimumCalls()).isEqualTo(20);
		});
	}

	@Test
	void anOverrideSetBeforeTheBreakerIsMadeApplies() {
		this.runner.run((context) -> {
			context.getBean(RetryTuning.class).overrideBreaker(FEIGN_ID, Map.of("failure-threshold", "9"), "fleet");

			assertThat(context.getBean(RetryCircuitBreakerFactory.class).create(FEIGN_ID).breaker().getConfig()
				.getFailureThreshold()).isEqualTo(9);
		});
	}

	/**
	 * A Gateway route's id is the operator's to choose; whatever brackets it holds, POST
	 * {@code configuration} re-tunes its breaker (not a 200 that changes nothing, nor a 400 about a
	 * property nobody wrote).
	 */
	@ParameterizedTest
	@ValueSource(strings = { "legacy]route", "legacy[route" })
	void aBreakerMadeOnDemandIsRetunedWhateverBracketsItsIdHolds(String id) {
		this.withActuator.run((context) -> {
			CircuitBreaker breaker = context.getBean(RetryCircuitBreakerFactory.class).create(id).breaker();

			WebEndpointResponse<Object> answer = context.getBean(CircuitBreakersEndpoint.class)
				.transition(id, Map.of("configuration.failure-threshold", "2"));

			assertThat(answer.getStatus()).as(String.valueOf(answer.getBody())).isEqualTo(200);
			assertThat(breaker.getConfig().getFailureThreshold()).isEqualTo(2);
		});
	}

	@Test
	void anOverrideThatDoesNotFitABreakerMadeLaterNeverBlocksOtherChanges() {
		this.runner
			.withPropertyValues("retry.circuit-breakers.default.sliding-window-size=10",
					"retry.circuit-breakers.default.minimum-calls=5")
			.run((context) -> {
				RetryTuning tuning = context.getBean(RetryTuning.class);
				// From another instance of the fleet before this one made the breaker: accepted or refused,
				// either way it must not outlive the breaker's creation as a poison for every later change.
				catchThrowable(() -> tuning.overrideBreaker(FEIGN_ID, Map.of("minimum-calls", "50"),
						"fleet, from storefront-2"));
				context.getBean(RetryCircuitBreakerFactory.class).create(FEIGN_ID);

				tuning.overrideBreaker("inventory", Map.of("failure-threshold", "4"), "actuator");
				tuning.reload("environment change");

				assertThat(context.getBean(CircuitBreakerRegistry.class).find("inventory").getConfig()
					.getFailureThreshold()).isEqualTo(4);
				assertThat(tuning.lastReloadError()).isNull();
			});
	}

	/**
	 * A Kotlin lambda (no checked exceptions) calling {@code Thread.sleep} hands Spring Cloud's
	 * {@code Supplier} an {@link InterruptedException}: as for an annotated method, the caller's
	 * thread stays interrupted, fallback or not.
	 */
	@Test
	void aSupplierThrowingInterruptedExceptionLeavesTheThreadInterruptedFallbackOrNot() {
		this.runner.run((context) -> {
			CloudCircuitBreaker breaker = context.getBean(RetryCircuitBreakerFactory.class).create("inventory");
			try {
				String answer = breaker.run(() -> sneakyThrow(new InterruptedException("sleep interrupted")),
						(failure) -> "fallback");
				boolean interruptedWithFallback = Thread.interrupted();
				Throwable withoutFallback = catchThrowable(
						() -> breaker.run(() -> sneakyThrow(new InterruptedException("sleep interrupted"))));
				boolean interruptedWithoutFallback = Thread.interrupted();

				assertThat(answer).isEqualTo("fallback");
				assertThat(interruptedWithFallback).as("interrupted after the fallback answered").isTrue();
				assertThat(withoutFallback).isInstanceOf(NoFallbackAvailableException.class);
				assertThat(interruptedWithoutFallback).as("interrupted without a fallback").isTrue();
			}
			finally {
				Thread.interrupted();
			}
		});
	}

	@SuppressWarnings("unchecked")
	private static <T, E extends Throwable> T sneakyThrow(Throwable failure) throws E {
		throw (E) failure;
	}

	@Test
	void manyThreadsCreatingTheSameIdShareOneBreakerAndOneSetOfMeters() throws Exception {
		this.withActuator.run((context) -> {
			RetryCircuitBreakerFactory factory = context.getBean(RetryCircuitBreakerFactory.class);
			int threads = 16;
			ExecutorService pool = Executors.newFixedThreadPool(threads);
			CountDownLatch go = new CountDownLatch(1);
			List<Future<CloudCircuitBreaker>> created = new ArrayList<>();
			try {
				for (int i = 0; i < threads; i++) {
					created.add(pool.submit(() -> {
						go.await();
						return factory.create(FEIGN_ID);
					}));
				}
				go.countDown();
				CloudCircuitBreaker first = created.get(0).get(10, TimeUnit.SECONDS);
				for (Future<CloudCircuitBreaker> each : created) {
					assertThat(each.get(10, TimeUnit.SECONDS)).isSameAs(first);
				}
			}
			finally {
				pool.shutdownNow();
			}
			assertThat(context.getBean(MeterRegistry.class).find("circuitbreaker.state").tag("name", FEIGN_ID).gauges())
				.hasSize(3);
			assertThat(context.getBean(CircuitBreakerRegistry.class).onDemandNames()).containsExactly(FEIGN_ID);
		});
	}

	/**
	 * A Feign fallback factory whose answer throws (no cached value, say): the caller gets what the
	 * fallback threw, and the breaker has counted the call's own failure once, never the fallback's.
	 */
	@Test
	void aFallbackThatThrowsHandsItsExceptionToTheCallerAndTheCallCountsOnce() {
		this.runner.run((context) -> {
			org.springframework.cloud.client.circuitbreaker.CircuitBreaker blocking = context
				.getBean(RetryCircuitBreakerFactory.class)
				.create("inventory");
			ReactiveCircuitBreaker reactive = context.getBean(RetryReactiveCircuitBreakerFactory.class)
				.create("inventory");
			CircuitBreaker ours = context.getBean(CircuitBreakerRegistry.class).find("inventory");
			AtomicInteger reached = new AtomicInteger();
			List<Throwable> fallbackGot = new ArrayList<>();
			Function<Throwable, String> noCachedValue = (failure) -> {
				fallbackGot.add(failure);
				throw new IllegalStateException("no cached stock");
			};

			Throwable first = catchThrowable(() -> blocking.run(failing(reached), noCachedValue));
			Throwable second = catchThrowable(() -> reactive
				.run(Mono.<String>error(REFUSED).doOnSubscribe((s) -> reached.incrementAndGet()),
						(failure) -> Mono.just(noCachedValue.apply(failure)))
				.block(Duration.ofSeconds(5)));
			long failuresAfterTwo = ours.getFailureCount();
			blocking.run(failing(reached), WHAT_FAILED);
			Throwable rejected = catchThrowable(() -> blocking.run(answering(reached), noCachedValue));

			assertThat(first).isInstanceOf(IllegalStateException.class).hasMessage("no cached stock");
			assertThat(second).isInstanceOf(IllegalStateException.class).hasMessage("no cached stock");
			assertThat(failuresAfterTwo).as("each call once, the fallback's exception never").isEqualTo(2);
			assertThat(ours.getState()).isEqualTo(State.OPEN);
			assertThat(rejected).hasMessage("no cached stock");
			assertThat(fallbackGot).hasSize(3).startsWith(REFUSED, REFUSED);
			assertThat(fallbackGot.get(2)).isInstanceOf(CircuitBreakerOpenException.class);
			assertThat(reached).as("the rejected call never ran").hasValue(3);
		});
	}

	/**
	 * OpenFeign's blocking calls and Gateway's subscriptions asking for a new id at once, while an
	 * operator re-tunes it: one breaker, which counted every call and holds the override whichever
	 * came first.
	 */
	@Test
	void firstUsesFromBothFactoriesAndARuntimeOverrideAtOnceMakeOneBreakerCountingEveryCall() throws Exception {
		this.runner.withPropertyValues("retry.circuit-breakers.default.failure-threshold=100").run((context) -> {
			RetryCircuitBreakerFactory blocking = context.getBean(RetryCircuitBreakerFactory.class);
			RetryReactiveCircuitBreakerFactory reactive = context.getBean(RetryReactiveCircuitBreakerFactory.class);
			RetryTuning tuning = context.getBean(RetryTuning.class);
			int threads = 16;
			ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
			CountDownLatch go = new CountDownLatch(1);
			List<Future<CircuitBreaker>> used = new ArrayList<>();
			AtomicInteger reached = new AtomicInteger();
			try {
				for (int i = 0; i < threads; i++) {
					boolean viaGateway = (i % 2 == 0);
					used.add(pool.submit(() -> {
						go.await();
						if (viaGateway) {
							CloudReactiveCircuitBreaker breaker = reactive.create(FEIGN_ID);
							breaker.run(Mono.<String>error(REFUSED).doOnSubscribe((s) -> reached.incrementAndGet()),
									(failure) -> Mono.just("fallback"))
								.block(Duration.ofSeconds(5));
							return breaker.breaker();
						}
						CloudCircuitBreaker breaker = blocking.create(FEIGN_ID);
						breaker.run(failing(reached), (failure) -> "fallback");
						return breaker.breaker();
					}));
				}
				Future<?> override = pool.submit(() -> {
					go.await();
					tuning.overrideBreaker(FEIGN_ID, Map.of("failure-threshold", "50"), "actuator");
					return null;
				});
				go.countDown();
				override.get(10, TimeUnit.SECONDS);
				CircuitBreaker first = used.get(0).get(10, TimeUnit.SECONDS);
				for (Future<CircuitBreaker> each : used) {
					assertThat(each.get(10, TimeUnit.SECONDS)).isSameAs(first);
				}
				assertThat(first).isSameAs(context.getBean(CircuitBreakerRegistry.class).find(FEIGN_ID));
				assertThat(first.getFailureCount()).isEqualTo(threads).isEqualTo(reached.longValue());
				assertThat(first.getConfig().getFailureThreshold()).isEqualTo(50);
				assertThat(context.getBean(CircuitBreakerRegistry.class).onDemandNames()).containsExactly(FEIGN_ID);
			}
			finally {
				pool.shutdownNow();
			}
		});
	}

	@Test
	void configuringThroughTheFactoryIsRefusedSayingWhereSettingsGo() {
		this.runner.run((context) -> {
			RetryCircuitBreakerFactory factory = context.getBean(RetryCircuitBreakerFactory.class);

			assertThatExceptionOfType(UnsupportedOperationException.class)
				.isThrownBy(() -> factory.configureDefault((id) -> null))
				.withMessageContaining("retry.circuit-breakers.default");
			assertThatExceptionOfType(UnsupportedOperationException.class)
				.isThrownBy(() -> factory.configure((builder) -> {
				}, "inventory"))
				.withMessageContaining("retry.circuit-breakers.<id>");
		});
	}

	@Test
	void backsOffWhenTheApplicationDefinesItsOwnFactories() {
		this.runner.withBean("ownFactory", CircuitBreakerFactory.class, OwnFactory::new)
			.withBean("ownReactiveFactory", ReactiveCircuitBreakerFactory.class, OwnReactiveFactory::new)
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(RetryCircuitBreakerFactory.class)
				.doesNotHaveBean(RetryReactiveCircuitBreakerFactory.class)
				.hasSingleBean(CircuitBreakerFactory.class)
				.hasSingleBean(ReactiveCircuitBreakerFactory.class));
	}

	@Test
	void eachFactoryBacksOffAlone() {
		this.runner.withBean("ownFactory", CircuitBreakerFactory.class, OwnFactory::new)
			.run((context) -> assertThat(context).doesNotHaveBean(RetryCircuitBreakerFactory.class)
				.hasSingleBean(RetryReactiveCircuitBreakerFactory.class));
	}

	@Test
	void anApplicationWithoutSpringCloudNeedsNoSpringCloudClass() {
		this.runner.withBean(BreakingService.class)
			.withConfiguration(AutoConfigurations.of(RetryGatewayAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader("org.springframework.cloud"))
			.run((context) -> {
				assertThat(context).hasNotFailed().doesNotHaveBean("retryCircuitBreakerFactory")
					.doesNotHaveBean("retryReactiveCircuitBreakerFactory");
				BreakingService service = context.getBean(BreakingService.class);
				assertThatExceptionOfType(ConnectException.class).isThrownBy(service::breakerOnly);
			});
	}

	@Test
	void withoutReactorOnlyTheBlockingFactory() {
		this.runner.withClassLoader(new FilteredClassLoader("reactor.core"))
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(RetryCircuitBreakerFactory.class)
				.doesNotHaveBean("retryReactiveCircuitBreakerFactory"));
	}

	@Test
	void withRetryDisabledEachCallIsMadeOnceAndTheFallbackAnswersItsOwnFailureOnly() {
		this.runner.withPropertyValues("retry.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed()
				.doesNotHaveBean(CircuitBreakerRegistry.class)
				.doesNotHaveBean(RetryCircuitBreakerFactory.class)
				.hasSingleBean(PassThroughCircuitBreakerFactory.class);
			org.springframework.cloud.client.circuitbreaker.CircuitBreaker breaker = context
				.getBean(CircuitBreakerFactory.class)
				.create("inventory");
			AtomicInteger reached = new AtomicInteger();
			List<String> answers = new ArrayList<>();

			for (int i = 0; i < 10; i++) {
				answers.add(breaker.run(failing(reached), WHAT_FAILED));
			}

			assertThat(answers).as("never rejected: failure-threshold 3 is not in force").containsOnly("failed")
				.hasSize(10);
			assertThat(reached).hasValue(10);
			assertThat(breaker.run(answering(reached), WHAT_FAILED)).isEqualTo("stock");
			assertThat(catchThrowable(() -> breaker.run(failing(reached))))
				.isInstanceOf(NoFallbackAvailableException.class)
				.hasCauseReference(REFUSED);
			StackOverflowError error = new StackOverflowError();
			assertThat(catchThrowable(() -> breaker.run(() -> {
				throw error;
			}, (failure) -> "fallback"))).isSameAs(error);
			assertThat(context.getBean(CircuitBreakerFactory.class).create(FEIGN_ID)).as("nothing kept per id")
				.isSameAs(breaker);
		});
	}

	@Test
	void withRetryDisabledASupplierThrowingInterruptedExceptionStillLeavesTheThreadInterrupted() {
		this.runner.withPropertyValues("retry.enabled=false").run((context) -> {
			org.springframework.cloud.client.circuitbreaker.CircuitBreaker breaker = context
				.getBean(CircuitBreakerFactory.class)
				.create("inventory");
			try {
				String answer = breaker.run(() -> sneakyThrow(new InterruptedException("sleep interrupted")),
						(failure) -> "fallback");

				assertThat(answer).isEqualTo("fallback");
				assertThat(Thread.interrupted()).isTrue();
			}
			finally {
				Thread.interrupted();
			}
		});
	}

	@Test
	void withRetryDisabledEachSubscriptionIsMadeOnceAndTheFallbackAnswersItsOwnFailureOnly() {
		this.runner.withPropertyValues("retry.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(RetryReactiveCircuitBreakerFactory.class)
				.hasSingleBean(PassThroughReactiveCircuitBreakerFactory.class);
			ReactiveCircuitBreaker breaker = context.getBean(ReactiveCircuitBreakerFactory.class).create("inventory");
			AtomicInteger subscribed = new AtomicInteger();
			Mono<String> call = breaker.run(
					Mono.<String>error(REFUSED).doOnSubscribe((s) -> subscribed.incrementAndGet()),
					(failure) -> Mono.just(WHAT_FAILED.apply(failure)));
			List<String> answers = new ArrayList<>();

			for (int i = 0; i < 5; i++) {
				answers.add(call.block(Duration.ofSeconds(5)));
			}

			assertThat(answers).containsOnly("failed").hasSize(5);
			assertThat(subscribed).hasValue(5);
			assertThat(breaker.run(Flux.just("a", "b"), (failure) -> Flux.just("fallback"))
				.collectList()
				.block(Duration.ofSeconds(5))).containsExactly("a", "b");
			assertThat(catchThrowable(() -> breaker.run(Mono.error(REFUSED)).block(Duration.ofSeconds(5))))
				.isInstanceOf(NoFallbackAvailableException.class)
				.hasCauseReference(REFUSED);
		});
	}

	@Test
	void withRetryDisabledTheApplicationsOwnFactoriesStillWin() {
		this.runner.withPropertyValues("retry.enabled=false")
			.withBean("ownFactory", CircuitBreakerFactory.class, OwnFactory::new)
			.withBean("ownReactiveFactory", ReactiveCircuitBreakerFactory.class, OwnReactiveFactory::new)
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(PassThroughCircuitBreakerFactory.class)
				.doesNotHaveBean(PassThroughReactiveCircuitBreakerFactory.class)
				.hasSingleBean(CircuitBreakerFactory.class)
				.hasSingleBean(ReactiveCircuitBreakerFactory.class));
	}

	@Test
	void withRetryDisabledAndNoSpringCloudNoSpringCloudClassIsNeeded() {
		this.runner.withPropertyValues("retry.enabled=false")
			.withConfiguration(AutoConfigurations.of(RetryGatewayAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader("org.springframework.cloud"))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean("retryCircuitBreakerFactory")
				.doesNotHaveBean("retryReactiveCircuitBreakerFactory"));
	}

	private static void await(CountDownLatch latch) {
		try {
			latch.await(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** An application's own factory, such as Resilience4j's. */
	static class OwnFactory extends CircuitBreakerFactory<Object, ConfigBuilder<Object>> {

		@Override
		public org.springframework.cloud.client.circuitbreaker.CircuitBreaker create(String id) {
			return new org.springframework.cloud.client.circuitbreaker.CircuitBreaker() {
				@Override
				public <T> T run(Supplier<T> toRun, Function<Throwable, T> fallback) {
					return toRun.get();
				}
			};
		}

		@Override
		protected ConfigBuilder<Object> configBuilder(String id) {
			return Object::new;
		}

		@Override
		public void configureDefault(Function<String, Object> defaultConfiguration) {
		}

	}

	static class OwnReactiveFactory extends ReactiveCircuitBreakerFactory<Object, ConfigBuilder<Object>> {

		@Override
		public ReactiveCircuitBreaker create(String id) {
			return new ReactiveCircuitBreaker() {
				@Override
				public <T> Mono<T> run(Mono<T> toRun, Function<Throwable, Mono<T>> fallback) {
					return toRun;
				}

				@Override
				public <T> Flux<T> run(Flux<T> toRun, Function<Throwable, Flux<T>> fallback) {
					return toRun;
				}
			};
		}

		@Override
		protected ConfigBuilder<Object> configBuilder(String id) {
			return Object::new;
		}

		@Override
		public void configureDefault(Function<String, Object> defaultConfiguration) {
		}

	}

}
