package dev.retry.autoconfigure;

import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.annotation.Retryable;
import dev.retry.autoconfigure.config.EffectivePolicy;
import dev.retry.autoconfigure.config.PolicyRegistry;
import dev.retry.backoff.Jitter;
import dev.retry.classify.RetryAfterResolver;
import dev.retry.event.CallTarget;
import dev.retry.event.Outcome;
import dev.retry.event.RetryListener;
import dev.retry.execution.RetryRuntime;
import dev.retry.policy.OnExhausted;
import dev.retry.policy.RetryPolicy;
import dev.retry.time.ManualClock;
import dev.retry.time.Sleeper;
import org.aopalliance.intercept.MethodInterceptor;
import org.aspectj.weaver.Advice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

@ExtendWith(OutputCaptureExtension.class)
class RetryAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class))
		.withBean(ManualClock.class)
		.withBean(FlakyService.class);

	@Test
	void retriesAnnotatedMethodsUnderTheNamedPolicyWithoutRealWaiting() {
		this.runner.withPropertyValues("retry.policies.network.jitter=none").run((context) -> {
			FlakyService service = context.getBean(FlakyService.class);
			ManualClock clock = context.getBean(ManualClock.class);

			assertThat(service.network()).isEqualTo("network");
			assertThat(service.calls()).hasValue(3);
			assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
		});
	}

	@Test
	void userRetryAfterResolverBeansTeachItOtherExceptions() {
		RetryAfterResolver notReady = (failure, now) -> (failure instanceof IllegalStateException)
				? Duration.ofSeconds(7) : null;
		this.runner.withBean(RetryAfterResolver.class, () -> notReady).run((context) -> {
			FlakyService service = context.getBean(FlakyService.class);

			assertThat(service.alsoOnIllegalState()).isEqualTo("ready");
			assertThat(context.getBean(ManualClock.class).sleeps()).containsExactly(Duration.ofSeconds(7),
					Duration.ofSeconds(7));
		});
	}

	@Test
	void leavesMethodsWithoutTheAnnotationAlone() {
		this.runner.run((context) -> {
			FlakyService service = context.getBean(FlakyService.class);

			assertThatExceptionOfType(ConnectException.class).isThrownBy(service::notAnnotated);
			assertThat(service.calls()).hasValue(1);
		});
	}

	@Test
	void methodLevelNoRetryOnAndRetryOnApply() {
		this.runner.run((context) -> {
			FlakyService service = context.getBean(FlakyService.class);

			assertThatExceptionOfType(ConnectException.class).isThrownBy(service::neverOnConnect);
			assertThat(service.calls()).hasValue(1);
			service.calls().set(0);
			assertThat(service.alsoOnIllegalState()).isEqualTo("ready");
			assertThat(service.calls()).hasValue(3);
		});
	}

	@Test
	void fallbackAnswersWhenRetriesRunOut() {
		this.runner.run((context) -> {
			FlakyService service = context.getBean(FlakyService.class);

			assertThat(service.withFallback("sku-1")).isEqualTo("cached sku-1 after refused for sku-1");
			assertThat(service.calls()).hasValue(3);
		});
	}

	@Test
	void bindsEveryKeyOfAPolicy() {
		this.runner.withPropertyValues("retry.policies.custom.max-attempts=7", "retry.policies.custom.base-delay=250ms",
				"retry.policies.custom.max-delay=0.75", "retry.policies.custom.exponential-backoff=false",
				"retry.policies.custom.multiplier=1.5", "retry.policies.custom.jitter=decorrelated",
				"retry.policies.custom.jitter-factor=0.1", "retry.policies.custom.max-duration=PT30S",
				"retry.policies.custom.retry-on=java.lang.IllegalStateException,java.io.IOException",
				"retry.policies.custom.no-retry-on[0]=java.io.FileNotFoundException",
				"retry.policies.custom.retry-on-status=503,599", "retry.policies.custom.respect-retry-after=false",
				"retry.policies.custom.on-exhausted=wrap", "retry.policies.custom.budget.ratio=0.1",
				"retry.policies.custom.budget.min-retries-per-second=3", "retry.policies.custom.budget.window=2.5")
			.run((context) -> {
				RetryPolicy policy = context.getBean(PolicyRegistry.class).find("custom").policy();

				assertThat(policy.getMaxAttempts()).isEqualTo(7);
				assertThat(policy.getBaseDelay()).isEqualTo(Duration.ofMillis(250));
				assertThat(policy.getMaxDelay()).isEqualTo(Duration.ofMillis(750));
				assertThat(policy.isExponentialBackoff()).isFalse();
				assertThat(policy.getMultiplier()).isEqualTo(1.5);
				assertThat(policy.getJitter()).isEqualTo(Jitter.DECORRELATED);
				assertThat(policy.getJitterFactor()).isEqualTo(0.1);
				assertThat(policy.getMaxDuration()).isEqualTo(Duration.ofSeconds(30));
				assertThat(policy.getRetryOn()).containsExactly(IllegalStateException.class, java.io.IOException.class);
				assertThat(policy.getNoRetryOn()).containsExactly(java.io.FileNotFoundException.class);
				assertThat(policy.getRetryOnStatus()).containsExactlyInAnyOrder(503, 599);
				assertThat(policy.isRespectRetryAfter()).isFalse();
				assertThat(policy.getOnExhausted()).isEqualTo(OnExhausted.WRAP);
				assertThat(policy.getBudget()).isEqualTo(new RetryPolicy.BudgetSettings(0.1, 3, Duration.ofMillis(2500)));
			});
	}

	@Test
	void presetsHaveTheirDocumentedValues() {
		this.runner.run((context) -> {
			PolicyRegistry registry = context.getBean(PolicyRegistry.class);

			assertThat(registry.names()).containsExactly("aggressive", "default", "fast", "gentle", "network");
			assertPreset(registry.find("network").policy(), 3, Duration.ofSeconds(1), Duration.ofSeconds(10));
			assertPreset(registry.find("fast").policy(), 2, Duration.ofMillis(500), Duration.ofSeconds(2));
			assertPreset(registry.find("aggressive").policy(), 6, Duration.ofMillis(50), Duration.ofSeconds(5));
			assertPreset(registry.find("gentle").policy(), 3, Duration.ofMillis(500), Duration.ofSeconds(3));
		});
	}

	private static void assertPreset(RetryPolicy policy, int attempts, Duration base, Duration max) {
		assertThat(policy.getMaxAttempts()).isEqualTo(attempts);
		assertThat(policy.getBaseDelay()).isEqualTo(base);
		assertThat(policy.getMaxDelay()).isEqualTo(max);
		assertThat(policy.getMultiplier()).isEqualTo(2.0);
		assertThat(policy.getJitter()).isEqualTo(Jitter.PROPORTIONAL);
		assertThat(policy.getJitterFactor()).isEqualTo(0.3);
	}

	@Test
	void policyKeysWinOverTheDefaultsTheUserSetWhichWinOverThePreset() {
		this.runner
			.withPropertyValues("retry.defaults.max-attempts=9", "retry.defaults.base-delay=2s",
					"retry.defaults.on-exhausted=wrap", "retry.policies.network.base-delay=300ms")
			.run((context) -> {
				EffectivePolicy network = context.getBean(PolicyRegistry.class).find("network");

				assertThat(network.policy().getBaseDelay()).isEqualTo(Duration.ofMillis(300));
				assertThat(network.sources().get("base-delay").property()).isEqualTo("retry.policies.network.base-delay");
				assertThat(network.policy().getMaxAttempts()).isEqualTo(9);
				assertThat(network.sources().get("max-attempts").property()).isEqualTo("retry.defaults.max-attempts");
				assertThat(network.policy().getMaxDelay()).as("a key nobody set: the preset's").isEqualTo(Duration.ofSeconds(10));
				assertThat(network.sources().get("max-delay").origin()).isEqualTo("preset network");
				assertThat(network.policy().getOnExhausted()).isEqualTo(OnExhausted.WRAP);
				assertThat(network.sources().get("on-exhausted").property()).isEqualTo("retry.defaults.on-exhausted");
				assertThat(network.policy().isRespectRetryAfter()).isTrue();
				assertThat(network.sources().get("respect-retry-after").origin()).isEqualTo("library default");
			});
	}

	@Test
	void environmentWinsOverApplicationYaml() {
		this.runner
			.withInitializer(TestEnvironment.create()
				.yaml("retry.defaults.max-attempts", "4")
				.yaml("retry.defaults.base-delay", "3s")
				.variable("RETRY_DEFAULTS_MAXATTEMPTS", "6"))
			.run((context) -> {
				EffectivePolicy defaults = context.getBean(PolicyRegistry.class).find("default");

				assertThat(defaults.policy().getMaxAttempts()).isEqualTo(6);
				assertThat(defaults.sources().get("max-attempts").origin()).contains("RETRY_DEFAULTS_MAXATTEMPTS");
				assertThat(defaults.policy().getBaseDelay()).isEqualTo(Duration.ofSeconds(3));
				assertThat(defaults.sources().get("base-delay").origin()).contains("application.yml");
			});
	}

	@Test
	void relaxedEnvironmentNamesReachNamedPolicies() {
		this.runner.withInitializer(TestEnvironment.create().variable("RETRY_POLICIES_NETWORK_MAXATTEMPTS", "5"))
			.run((context) -> {
				EffectivePolicy network = context.getBean(PolicyRegistry.class).find("network");

				assertThat(network.policy().getMaxAttempts()).isEqualTo(5);
				assertThat(network.sources().get("max-attempts").origin()).contains("RETRY_POLICIES_NETWORK_MAXATTEMPTS");
			});
	}

	@Test
	void maxRetryAttemptsMakesAPlainRetryableTryThatOften() {
		this.runner.withInitializer(TestEnvironment.create().variable("MAX_RETRY_ATTEMPTS", "5")).run((context) -> {
			FlakyService service = context.getBean(FlakyService.class);
			service.failFirst(4);

			assertThat(service.plain()).isEqualTo("plain");
			assertThat(service.calls()).hasValue(5);
			assertThat(context.getBean(PolicyRegistry.class).find("default").sources().get("max-attempts").origin())
				.contains("MAX_RETRY_ATTEMPTS");
		});
	}

	@Test
	void mirroredDelaysAcceptDecimalSecondsAndExponentialBackoffCanBeTurnedOff() {
		this.runner
			.withInitializer(TestEnvironment.create()
				.variable("RETRY_BASE_DELAY", "1.0")
				.variable("RETRY_MAX_DELAY", "2.5")
				.variable("RETRY_EXPONENTIAL_BACKOFF", "false")
				.yaml("retry.defaults.base-delay", "7s"))
			.run((context) -> {
				RetryPolicy defaults = context.getBean(PolicyRegistry.class).find("default").policy();

				assertThat(defaults.getBaseDelay()).isEqualTo(Duration.ofSeconds(1));
				assertThat(defaults.getMaxDelay()).isEqualTo(Duration.ofMillis(2500));
				assertThat(defaults.isExponentialBackoff()).isFalse();
			});
	}

	@Test
	void mirroredVariablesWinOverThePresetsButNotOverPolicyKeys() {
		this.runner.withInitializer(TestEnvironment.create().variable("MAX_RETRY_ATTEMPTS", "8").variable("RETRY_BASE_DELAY", "0.5"))
			.withPropertyValues("retry.policies.network.jitter=none", "retry.policies.fast.max-attempts=4")
			.run((context) -> {
				PolicyRegistry registry = context.getBean(PolicyRegistry.class);

				assertThat(registry.find("network").policy().getMaxAttempts()).isEqualTo(8);
				assertThat(registry.find("network").sources().get("max-attempts").origin()).contains("MAX_RETRY_ATTEMPTS");
				assertThat(registry.find("network").policy().getBaseDelay()).isEqualTo(Duration.ofMillis(500));
				assertThat(registry.find("network").sources().get("base-delay").origin()).contains("RETRY_BASE_DELAY");
				assertThat(registry.find("network").policy().getMaxDelay()).isEqualTo(Duration.ofSeconds(10));
				assertThat(registry.find("network").policy().getJitter()).isEqualTo(Jitter.NONE);
				assertThat(registry.find("fast").policy().getMaxAttempts()).isEqualTo(4);
				assertThat(registry.find("fast").policy().getBaseDelay()).isEqualTo(Duration.ofMillis(500));
				assertThat(registry.find("custom")).isNull();
				assertThat(registry.find("default").policy().getBaseDelay()).isEqualTo(Duration.ofMillis(500));
			});
	}

	@Test
	void maxRetryAttemptsMakesANetworkPolicyMethodTryThatOftenAndRetryBaseDelaySetsItsWait() {
		this.runner
			.withInitializer(TestEnvironment.create().variable("MAX_RETRY_ATTEMPTS", "5").variable("RETRY_BASE_DELAY", "0.2"))
			.withPropertyValues("retry.defaults.jitter=none")
			.run((context) -> {
				FlakyService service = context.getBean(FlakyService.class);
				service.failFirst(4);

				assertThat(service.network()).isEqualTo("network");
				assertThat(service.calls()).hasValue(5);
				assertThat(context.getBean(ManualClock.class).sleeps()).containsExactly(Duration.ofMillis(200),
						Duration.ofMillis(400), Duration.ofMillis(800), Duration.ofMillis(1600));
			});
	}

	@Test
	void aPresetsMaxDelayBelowTheUsersBaseDelayIsRaisedToIt() {
		this.runner.withInitializer(TestEnvironment.create().variable("RETRY_BASE_DELAY", "3")).run((context) -> {
			PolicyRegistry registry = context.getBean(PolicyRegistry.class);
			EffectivePolicy fast = registry.find("fast");

			assertThat(fast.policy().getBaseDelay()).isEqualTo(Duration.ofSeconds(3));
			assertThat(fast.policy().getMaxDelay()).isEqualTo(Duration.ofSeconds(3));
			assertThat(fast.sources().get("max-delay").origin()).startsWith("preset fast, raised to base-delay")
				.contains("RETRY_BASE_DELAY");
			assertThat(registry.find("aggressive").policy().getMaxDelay()).as("5s: not below 3s")
				.isEqualTo(Duration.ofSeconds(5));
		});
	}

	@Test
	void aPresetsOrTheLibrarysBaseDelayAboveTheUsersMaxDelayIsLoweredToIt() {
		this.runner.withInitializer(TestEnvironment.create().variable("RETRY_MAX_DELAY", "0.3")).run((context) -> {
			EffectivePolicy network = context.getBean(PolicyRegistry.class).find("network");
			EffectivePolicy defaults = context.getBean(PolicyRegistry.class).find("default");

			assertThat(network.policy().getMaxDelay()).isEqualTo(Duration.ofMillis(300));
			assertThat(network.policy().getBaseDelay()).isEqualTo(Duration.ofMillis(300));
			assertThat(network.sources().get("base-delay").origin()).startsWith("preset network, lowered to max-delay");
			assertThat(defaults.policy().getBaseDelay()).isEqualTo(Duration.ofMillis(300));
			assertThat(defaults.sources().get("base-delay").origin()).startsWith("library default, lowered to max-delay");
		});
	}

	@Test
	void twoDelaysTheUserSetAreCheckedAsTheyAre() {
		this.runner.withPropertyValues("retry.defaults.base-delay=3s", "retry.policies.network.max-delay=500ms")
			.run((context) -> assertThat(StartupFailureTests.analyze(context).getDescription())
				.contains("Property: retry.policies.network.max-delay", "max-delay is below base-delay"));
	}

	@Test
	void applicationYamlDefaultsWinOverThePresetsToo() {
		this.runner.withInitializer(TestEnvironment.create().yaml("retry.defaults.max-attempts", "4"))
			.run((context) -> {
				EffectivePolicy fast = context.getBean(PolicyRegistry.class).find("fast");

				assertThat(fast.policy().getMaxAttempts()).isEqualTo(4);
				assertThat(fast.sources().get("max-attempts").origin()).contains("application.yml");
				assertThat(fast.policy().getBaseDelay()).isEqualTo(Duration.ofMillis(500));
				assertThat(fast.sources().get("base-delay").origin()).isEqualTo("preset fast");
			});
	}

	@Test
	void typeLevelAnnotationCoversEveryPublicMethod() {
		this.runner.withBean(TypeLevel.class).run((context) -> {
			TypeLevel bean = context.getBean(TypeLevel.class);

			assertThat(bean.first()).isEqualTo(2);
			assertThat(bean.second()).isEqualTo(4);
			assertThat(context.getBean(ManualClock.class).sleeps()).hasSize(2);
		});
	}

	@Test
	void reportsAnnotatedMethodsAProxyCannotReach(CapturedOutput output) {
		this.runner.withBean(Unreachable.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(output).contains("@Retryable has no effect on Unreachable.fixed() (final), "
					+ "Unreachable.hidden() (private), Unreachable.shared() (static) of bean");
		});
	}

	@Test
	void retriesReplayTheInterceptorsThatComeAfterIt() {
		AtomicInteger innerCalls = new AtomicInteger();
		MethodInterceptor inner = (invocation) -> {
			innerCalls.incrementAndGet();
			return invocation.proceed();
		};
		this.runner.withBean("proxied", FlakyService.class, () -> {
			ProxyFactory factory = new ProxyFactory(new FlakyService());
			factory.setProxyTargetClass(true);
			factory.addAdvice(inner);
			return (FlakyService) factory.getProxy();
		}, (definition) -> definition.setPrimary(true)).run((context) -> {
			FlakyService proxied = context.getBean("proxied", FlakyService.class);

			assertThat(proxied.network()).isEqualTo("network");
			assertThat(innerCalls).hasValue(3);
			assertThat(AopUtils.isAopProxy(proxied)).isTrue();
		});
	}

	@Test
	void listenerBeansHearRetriesAndOutcomes() {
		List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
		RetryListener listener = new RetryListener() {
			@Override
			public void onRetryScheduled(CallTarget target, int nextAttempt, int maxAttempts, Duration delay,
					Throwable failure) {
				heard.add(target.name() + " retry " + nextAttempt + "/" + maxAttempts);
			}

			@Override
			public void onCompleted(CallTarget target, Outcome outcome, int attempts, Throwable failure) {
				heard.add(target.name() + " " + outcome.tag() + " policy " + target.policy());
			}
		};
		this.runner.withBean(RetryListener.class, () -> listener).run((context) -> {
			context.getBean(FlakyService.class).network();

			assertThat(heard).containsExactly("FlakyService.network retry 2/3", "FlakyService.network retry 3/3",
					"FlakyService.network success_after_retry policy network");
		});
	}

	@Test
	void logsEachRetryAtInfoAndExhaustionAtWarn(CapturedOutput output) {
		this.runner.withPropertyValues("retry.policies.network.jitter=none").run((context) -> {
			FlakyService service = context.getBean(FlakyService.class);
			service.failFirst(10);

			assertThatExceptionOfType(ConnectException.class).isThrownBy(service::network);
			assertThat(output).contains("INFO", "Retry 2/3 for FlakyService.network in 1.00s after ConnectException: Connection refused")
				.contains("Retry 3/3 for FlakyService.network in 2.00s after ConnectException: Connection refused")
				.contains("WARN", "Retries exhausted for FlakyService.network after 3 attempts: ConnectException: Connection refused");
		});
	}

	@Test
	void backsOffWhenTheUserDefinesTheRuntimeOrSleeper() {
		RetryRuntime custom = RetryRuntime.defaults();
		this.runner.withBean("customRuntime", RetryRuntime.class, () -> custom).run((context) -> {
			assertThat(context).getBean(RetryRuntime.class).isSameAs(custom);
		});
		Sleeper sleeper = (nanos) -> {
		};
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class))
			.withBean("customSleeper", Sleeper.class, () -> sleeper)
			.run((context) -> assertThat(context.getBean(RetryRuntime.class).sleeper()).isSameAs(sleeper));
	}

	@Test
	void doesNothingWithoutAop() {
		this.runner.withClassLoader(new FilteredClassLoader(Advice.class)).run((context) -> {
			assertThat(context).doesNotHaveBean(PolicyRegistry.class);
			assertThat(AopUtils.isAopProxy(context.getBean(FlakyService.class))).isFalse();
		});
	}

	@Test
	void doesNothingAtAllWhenDisabled() {
		this.runner.withPropertyValues("retry.enabled=false", "retry.defaults.max-attempts=0").run((context) -> {
			FlakyService service = context.getBean(FlakyService.class);

			assertThat(context).hasNotFailed().doesNotHaveBean(PolicyRegistry.class);
			assertThatExceptionOfType(ConnectException.class).isThrownBy(service::network);
			assertThat(service.calls()).hasValue(1);
		});
	}

	@Retryable(policy = "fast")
	public static class TypeLevel {

		private final AtomicInteger calls = new AtomicInteger();

		public int first() throws ConnectException {
			int n = this.calls.incrementAndGet();
			if (n % 2 != 0) {
				throw new ConnectException("refused");
			}
			return n;
		}

		public int second() throws ConnectException {
			return first();
		}

	}

	public static class Unreachable {

		@Retryable
		private void hidden() {
		}

		@Retryable
		public final void fixed() {
		}

		@Retryable
		public static void shared() {
		}

		@Retryable
		public void reachable() {
		}

	}

}
