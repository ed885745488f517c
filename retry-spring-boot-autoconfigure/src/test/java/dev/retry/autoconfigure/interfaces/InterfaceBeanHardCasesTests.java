package dev.retry.autoconfigure.interfaces;

import java.lang.reflect.Proxy;
import java.net.ConnectException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.CircuitBreakerOpenException;
import dev.retry.annotation.CircuitBreaker;
import dev.retry.annotation.Retryable;
import dev.retry.autoconfigure.RetryAutoConfiguration;
import dev.retry.autoconfigure.config.MethodRegistry;
import dev.retry.autoconfigure.config.MethodRegistry.AnnotatedMethod;
import dev.retry.time.ManualClock;
import org.aopalliance.intercept.MethodInterceptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.aop.framework.Advised;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.FactoryBean;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.NoTransactionException;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.SimpleTransactionStatus;
import org.springframework.transaction.interceptor.TransactionAspectSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Interface proxies of every make: a {@code FactoryBean}'s plain JDK proxy, a frozen Spring proxy,
 * annotations on a super-interface, a class overriding an annotated interface method, a class
 * proxied through its interfaces with {@code @Transactional}; and what is reported when an
 * annotation still cannot apply.
 */
@ExtendWith(OutputCaptureExtension.class)
class InterfaceBeanHardCasesTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class))
		.withBean(ManualClock.class)
		.withPropertyValues("retry.policies.quick.base-delay=10ms", "retry.policies.patient.max-attempts=5",
				"retry.policies.patient.base-delay=10ms", "retry.circuit-breakers.inventory.failure-threshold=5");

	@Test
	void factoryBeansPlainJdkProxyIsWrappedAndRetriedThroughItsOwnHandler(CapturedOutput output) {
		this.runner.withBean("quotes", QuotesFactoryBean.class).run((context) -> {
			Quotes quotes = context.getBean(Quotes.class);
			QuotesFactoryBean factory = context.getBean("&quotes", QuotesFactoryBean.class);

			assertThat(quotes.quote("q")).isEqualTo("quote q after 3 calls");

			assertThat(factory.calls).hasValue(3);
			assertThat(Proxy.isProxyClass(quotes.getClass())).isTrue();
			assertThat(context.getBean(MethodRegistry.class).methods()).extracting(AnnotatedMethod::method)
				.contains("Quotes.quote", "Quotes.inherited");
			assertThat(output).doesNotContain("(final)", "non-final", "Quotes.quote(String) (");
		});
	}

	@Test
	void aLambdaBeanOfAnAnnotatedFunctionalInterfaceIsRetriedThroughItsInterface() {
		AtomicInteger calls = new AtomicInteger();
		this.runner.withBean("lookup", Lookup.class, () -> (key) -> {
			int call = calls.incrementAndGet();
			if (call < 3) {
				throw new ConnectException("refused #" + call);
			}
			return key + " after " + call + " calls";
		}).run((context) -> {
			assertThat(context.getBean(Lookup.class).find("k")).isEqualTo("k after 3 calls");

			assertThat(calls).hasValue(3);
			assertThat(context.getBean(MethodRegistry.class).methods()).extracting(AnnotatedMethod::method)
				.contains("Lookup.find");
		});
	}

	@Test
	void annotationOnASuperInterfaceMethodAppliesAndIsNamedAfterTheBeansInterface() {
		this.runner.withBean("quotes", QuotesFactoryBean.class).run((context) -> {
			Quotes quotes = context.getBean(Quotes.class);

			assertThat(quotes.inherited("i")).isEqualTo("inherited i after 3 calls");
			assertThat(context.getBean(MethodRegistry.class).methods())
				.filteredOn((method) -> method.method().equals("Quotes.inherited"))
				.singleElement()
				.extracting(AnnotatedMethod::policy)
				.isEqualTo("quick");
		});
	}

	@Test
	void frozenSpringProxyIsWrappedAndEachRetryPassesItsInterceptors() {
		AtomicInteger innerCalls = new AtomicInteger();
		this.runner.withBean("frozen", Quotes.class, () -> {
			ProxyFactory factory = new ProxyFactory(new FlakyQuotes());
			factory.addInterface(Quotes.class);
			factory.addAdvice((MethodInterceptor) (invocation) -> {
				innerCalls.incrementAndGet();
				return invocation.proceed();
			});
			factory.setFrozen(true);
			return (Quotes) factory.getProxy();
		}).run((context) -> {
			Quotes quotes = context.getBean(Quotes.class);

			assertThat(quotes.quote("f")).isEqualTo("flaky f after 3 calls");
			assertThat(innerCalls).hasValue(3);
			assertThat(((Advised) quotes).isFrozen()).as("our proxy, around the frozen one").isFalse();
			assertThat(context.getBean(MethodRegistry.class).methods()).extracting(AnnotatedMethod::method)
				.contains("FlakyQuotes.quote");
		});
	}

	@Test
	void classOverridingAnAnnotatedInterfaceMethodWithItsOwnAnnotationUsesItsOwn() {
		this.runner.withBean(PatientQuotes.class).run((context) -> {
			PatientQuotes quotes = context.getBean(PatientQuotes.class);

			assertThat(quotes.quote("p")).isEqualTo("patient p after 5 calls");
			assertThat(context.getBean(MethodRegistry.class).methods())
				.filteredOn((method) -> method.method().equals("PatientQuotes.quote"))
				.singleElement()
				.extracting(AnnotatedMethod::policy)
				.isEqualTo("patient");
		});
	}

	@Test
	void classProxiedThroughItsInterfacesWithTransactionalIsRetriedOutsideTheTransaction(CapturedOutput output) {
		this.runner.withUserConfiguration(Transactions.class)
			.withBean(TransactionalQuotes.class)
			.withPropertyValues("spring.aop.proxy-target-class=false")
			.run((context) -> {
				Quotes quotes = context.getBean(Quotes.class);
				Transactions transactions = context.getBean(Transactions.class);

				assertThat(Proxy.isProxyClass(quotes.getClass())).isTrue();
				assertThat(quotes.quote("t")).isEqualTo("transactional t after 3 calls");
				assertThat(transactions.begun).as("one transaction per attempt").hasValue(3);
				assertThat(TransactionalQuotes.insideTransaction).containsExactly(true, true, true);
				assertThat(context.getBean(MethodRegistry.class).methods())
					.filteredOn((method) -> method.method().equals("TransactionalQuotes.quote"))
					.singleElement()
					.extracting(AnnotatedMethod::interceptors)
					.isEqualTo(List.of("retry(quick)", "transaction"));
				assertThat(output).contains("@Retryable has no effect on TransactionalQuotes.extra() (not in the "
						+ "interfaces the bean is called through) of bean 'interfaceBeanHardCasesTests.TransactionalQuotes': "
						+ "the bean is called through a JDK proxy of its interfaces (Quotes), which passes only their "
						+ "methods on. Declare extra() in one of its interfaces, or let Spring proxy the class "
						+ "(spring.aop.proxy-target-class=true, the default).");
			});
	}

	@Test
	void finalClassStillGetsItsWarningWithAFixThatWorks(CapturedOutput output) {
		this.runner.withBean("finalQuotes", FinalQuotes.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(output).contains("@Retryable has no effect on FinalQuotes.quote(String) (in a final class) of "
					+ "bean 'finalQuotes': Spring proxies this bean by subclassing FinalQuotes, which a final class "
					+ "forbids. Make FinalQuotes non-final (in Kotlin: open, or the kotlin-spring compiler plugin).");
		});
	}

	@Test
	void staticInterfaceMethodIsReportedWithTheFixForAnInterface(CapturedOutput output) {
		this.runner.withBean("quotes", QuotesFactoryBean.class).run((context) -> {
			context.getBean(Quotes.class);
			assertThat(output).contains("@Retryable has no effect on Quotes.normalize(String) (static interface method) "
					+ "of bean 'quotes': a static or private interface method is never called through the bean's proxy. "
					+ "Put the annotation on the abstract or default method that callers call instead of normalize().");
			assertThat(output).doesNotContain("non-final");
		});
	}

	@Test
	void defaultMethodOfAClassBeanCallingAnAnnotatedMethodOnThisIsReported(CapturedOutput output) {
		this.runner.withBean(PatientQuotes.class).run((context) -> {
			assertThat(output).contains("PatientQuotes.quoteTwice() calls quote(String) on this: @Retryable does not "
					+ "apply to that call");
		});
	}

	@Test
	void defaultMethodOfAnInterfaceProxyIsNotReportedItsCallsPassTheProxy(CapturedOutput output) {
		this.runner.withBean("quotes", QuotesFactoryBean.class).run((context) -> {
			Quotes quotes = context.getBean(Quotes.class);

			assertThat(quotes.quoteTwice()).isEqualTo("quote a after 3 calls, quote b after 6 calls");
			assertThat(output).doesNotContain("calls quote(String) on this");
		});
	}

	@Test
	void typeLevelAnnotationOnASuperInterfaceAppliesToTheSubInterfacesMethods() {
		AtomicInteger calls = new AtomicInteger();
		this.runner.withBean(Prices.class, () -> (Prices) Proxy.newProxyInstance(Prices.class.getClassLoader(),
				new Class<?>[] { Prices.class }, (proxy, method, arguments) -> {
					if (method.getDeclaringClass() == Object.class) {
						return method.invoke(calls, arguments);
					}
					calls.incrementAndGet();
					throw new ConnectException("refused");
				})).run((context) -> {
					Prices prices = context.getBean(Prices.class);

					for (int i = 0; i < 5; i++) {
						assertThatExceptionOfType(ConnectException.class).isThrownBy(() -> prices.price("p"));
					}
					assertThatExceptionOfType(CircuitBreakerOpenException.class).isThrownBy(() -> prices.price("p"));
					assertThat(calls).as("five failures open the breaker of the super-interface").hasValue(5);
				});
	}

	@Test
	void packagePrivateInterfaceIsWrappedAndItsDefaultFallbackRuns() {
		this.runner.withBean(Hidden.class, () -> (Hidden) Proxy.newProxyInstance(Hidden.class.getClassLoader(),
				new Class<?>[] { Hidden.class }, (proxy, method, arguments) -> {
					if (method.getDeclaringClass() == Object.class) {
						return method.invoke(this, arguments);
					}
					throw new ConnectException("refused");
				})).run((context) -> {
					assertThat(context.getBean(Hidden.class).secret("s")).isEqualTo("fallback for s after ConnectException");
					assertThat(context.getBean(ManualClock.class).sleeps()).as("retried before the fallback").hasSize(2);
				});
	}

	@Test
	void aDefaultMethodFallbackThatThrowsHandsTheCallerItsOwnFailureAndIsNotRetried() {
		AtomicInteger calls = new AtomicInteger();
		this.runner.withBean(Backed.class, () -> (Backed) Proxy.newProxyInstance(Backed.class.getClassLoader(),
				new Class<?>[] { Backed.class }, (proxy, method, arguments) -> {
					if (method.isDefault()) {
						return java.lang.reflect.InvocationHandler.invokeDefault(proxy, method, arguments);
					}
					if (method.getDeclaringClass() == Object.class) {
						return method.invoke(calls, arguments);
					}
					calls.incrementAndGet();
					throw new ConnectException(method.getName() + " refused");
				})).run((context) -> {
					Backed backed = context.getBean(Backed.class);

					assertThatExceptionOfType(ConnectException.class).isThrownBy(() -> backed.primary("p"))
						.isSameAs(Backed.THROWN.get())
						.withMessage("the backup of p is down too, after primary refused");
					assertThat(calls).as("primary tried 3 times, then the fallback's backup call, itself retried")
						.hasValue(6);
					assertThat(Backed.FALLBACKS).as("the fallback runs once: it is not retried").hasValue(1);
				});
	}

	@Test
	void withRetriesTurnedOffAnInterfaceBeanIsLeftAsItIsAndCalledOnce() {
		QuotesFactoryBean factory = new QuotesFactoryBean();
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class,
					dev.retry.autoconfigure.RetryDisabledAutoConfiguration.class))
			.withPropertyValues("retry.enabled=false")
			.withBean("quotes", QuotesFactoryBean.class, () -> factory)
			.run((context) -> {
				Quotes quotes = context.getBean(Quotes.class);

				assertThat(AopUtils.isAopProxy(quotes)).as("no proxy of ours around it").isFalse();
				assertThatExceptionOfType(java.lang.reflect.UndeclaredThrowableException.class)
					.isThrownBy(() -> quotes.quote("q"))
					.withCauseInstanceOf(ConnectException.class);
				assertThat(factory.calls).hasValue(1);
			});
	}

	@Test
	void anUnknownPolicyOnAnInterfaceIsReportedAtStartUpNamingTheInterfaceTheUserWrote() {
		this.runner.withBean(Misnamed.class, () -> (Misnamed) Proxy.newProxyInstance(Misnamed.class.getClassLoader(),
				new Class<?>[] { Misnamed.class }, (proxy, method, arguments) -> (method.getDeclaringClass() == Object.class)
						? method.invoke(Misnamed.class, arguments) : null)).run((context) -> {
					assertThat(context).hasFailed();
					assertThat(context.getStartupFailure()).rootCause()
						.hasMessageStartingWith("@Retryable(policy = \"netwrk\") on Misnamed.fetch(String) names no "
								+ "retry policy. Known policies:");
				});
	}

	/** A functional interface, which a {@code @Bean} method may implement with a lambda. */
	@FunctionalInterface
	public interface Lookup {

		@Retryable(policy = "quick")
		String find(String key) throws ConnectException;

	}

	public interface Unannotated {

		String fetch(String name);

	}

	@Retryable(policy = "netwrk")
	public interface Misnamed extends Unannotated {

	}

	/** Annotated on the interface, which is extended: every method of the sub-interface passes the breaker. */
	@CircuitBreaker(name = "inventory")
	public interface Guarded {

	}

	public interface Prices extends Guarded {

		String price(String sku) throws ConnectException;

	}

	/** A fallback that calls a backup through this, and fails too. */
	public interface Backed {

		java.util.concurrent.atomic.AtomicReference<Exception> THROWN = new java.util.concurrent.atomic.AtomicReference<>();

		AtomicInteger FALLBACKS = new AtomicInteger();

		@Retryable(policy = "quick", fallback = "viaBackup")
		String primary(String name) throws ConnectException;

		@Retryable(policy = "quick")
		String backup(String name) throws ConnectException;

		default String viaBackup(String name, Throwable failure) throws ConnectException {
			FALLBACKS.incrementAndGet();
			try {
				return backup(name);
			}
			catch (ConnectException ex) {
				ConnectException down = new ConnectException(
						"the backup of " + name + " is down too, after " + failure.getMessage());
				THROWN.set(down);
				throw down;
			}
		}

	}

	/** Not public: the proxies made for it live in its package. */
	interface Hidden {

		@Retryable(policy = "quick", fallback = "fallback")
		String secret(String name) throws ConnectException;

		default String fallback(String name, Throwable failure) {
			return "fallback for " + name + " after " + failure.getClass().getSimpleName();
		}

	}

	/** A super-interface: its annotated method applies to beans of the sub-interface. */
	public interface Inherited {

		@Retryable(policy = "quick")
		String inherited(String name);

	}

	public interface Quotes extends Inherited {

		@Retryable(policy = "quick")
		String quote(String name);

		/** Calls an annotated method on this. */
		default String quoteTwice() {
			return quote("a") + ", " + quote("b");
		}

		@Retryable(policy = "quick")
		static String normalize(String name) {
			return name.trim();
		}

	}

	/** Makes a plain JDK proxy, as client libraries do: each name fails twice with a transient failure. */
	public static class QuotesFactoryBean implements FactoryBean<Quotes> {

		final AtomicInteger calls = new AtomicInteger();

		@Override
		public Quotes getObject() {
			return (Quotes) Proxy.newProxyInstance(Quotes.class.getClassLoader(), new Class<?>[] { Quotes.class },
					(proxy, method, arguments) -> {
						if (method.isDefault()) {
							return java.lang.reflect.InvocationHandler.invokeDefault(proxy, method, arguments);
						}
						if (method.getDeclaringClass() == Object.class) {
							return method.invoke(this, arguments);
						}
						int call = this.calls.incrementAndGet();
						if (call % 3 != 0) {
							throw new ConnectException("refused #" + call);
						}
						return method.getName() + " " + arguments[0] + " after " + call + " calls";
					});
		}

		@Override
		public Class<?> getObjectType() {
			return Quotes.class;
		}

	}

	public static class FlakyQuotes implements Quotes {

		private final AtomicInteger calls = new AtomicInteger();

		@Override
		public String quote(String name) {
			int call = this.calls.incrementAndGet();
			if (call < 3) {
				throw new IllegalStateException(new ConnectException("refused #" + call));
			}
			return "flaky " + name + " after " + call + " calls";
		}

		@Override
		public String inherited(String name) {
			return name;
		}

	}

	public static class PatientQuotes implements Quotes {

		private final AtomicInteger calls = new AtomicInteger();

		@Override
		@Retryable(policy = "patient")
		public String quote(String name) {
			int call = this.calls.incrementAndGet();
			if (call < 5) {
				throw new IllegalStateException(new ConnectException("refused #" + call));
			}
			return "patient " + name + " after " + call + " calls";
		}

		@Override
		public String inherited(String name) {
			return name;
		}

	}

	public static class TransactionalQuotes implements Quotes {

		static final List<Boolean> insideTransaction = new java.util.concurrent.CopyOnWriteArrayList<>();

		private final AtomicInteger calls = new AtomicInteger();

		@Override
		@Transactional
		public String quote(String name) {
			insideTransaction.add(isInsideTransaction());
			int call = this.calls.incrementAndGet();
			if (call < 3) {
				throw new IllegalStateException(new ConnectException("refused #" + call));
			}
			return "transactional " + name + " after " + call + " calls";
		}

		@Override
		public String inherited(String name) {
			return name;
		}

		private static boolean isInsideTransaction() {
			try {
				TransactionAspectSupport.currentTransactionStatus();
				return true;
			}
			catch (NoTransactionException ex) {
				return false;
			}
		}

		@Retryable(policy = "quick")
		public String extra() {
			return "extra";
		}

	}

	public static final class FinalQuotes {

		@Retryable(policy = "quick")
		public String quote(String name) {
			return name;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableTransactionManagement(proxyTargetClass = false)
	static class Transactions {

		final AtomicInteger begun = new AtomicInteger();

		@Bean
		PlatformTransactionManager transactionManager() {
			return new PlatformTransactionManager() {
				@Override
				public TransactionStatus getTransaction(TransactionDefinition definition) {
					Transactions.this.begun.incrementAndGet();
					return new SimpleTransactionStatus();
				}

				@Override
				public void commit(TransactionStatus status) {
				}

				@Override
				public void rollback(TransactionStatus status) {
				}
			};
		}

	}

}
