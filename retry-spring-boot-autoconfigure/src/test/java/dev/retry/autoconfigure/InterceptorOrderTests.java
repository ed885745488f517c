package dev.retry.autoconfigure;

import dev.retry.annotation.CircuitBreaker;
import dev.retry.annotation.Retryable;
import dev.retry.autoconfigure.config.MethodRegistry;
import dev.retry.autoconfigure.config.MethodRegistry.AnnotatedMethod;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.SimpleTransactionStatus;

import static org.assertj.core.api.Assertions.assertThat;

/** What runs around each annotated method, in order, as /actuator/retries shows it. */
class InterceptorOrderTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class))
		.withBean(ManualClock.class)
		.withPropertyValues("retry.circuit-breakers.inventory.failure-threshold=5",
				"retry.policies.bounded.attempt-timeout=200ms");

	@Test
	void ourStagesComeFirstThenTheProxysOtherInterceptorsSuchAsTheTransaction() {
		this.runner.withUserConfiguration(Transactions.class).withBean(Orders.class).run((context) -> {
			assertThat(context.getBean(MethodRegistry.class).methods()).extracting(AnnotatedMethod::method,
					AnnotatedMethod::interceptors)
				.containsExactly(
						org.assertj.core.groups.Tuple.tuple("Orders.guarded",
								java.util.List.of("circuitBreaker(inventory)")),
						org.assertj.core.groups.Tuple.tuple("Orders.place",
								java.util.List.of("retry(network)", "circuitBreaker(inventory)", "transaction")),
						org.assertj.core.groups.Tuple.tuple("Orders.timed",
								java.util.List.of("retry(bounded)", "attemptTimeout(200ms)")));
		});
	}

	@Test
	void everyAttemptRunsInsideTheInterceptorsAfterOursTheFirstOneToo() {
		this.runner.withUserConfiguration(Transactions.class)
			.withBean(Orders.class)
			.withPropertyValues("retry.policies.network.base-delay=0", "retry.policies.network.max-delay=0")
			.run((context) -> {
				Orders orders = context.getBean(Orders.class);
				Transactions transactions = context.getBean(Transactions.class);
				assertThat(orders.place("a")).isEqualTo("a");
				assertThat(transactions.begun.get()).isEqualTo(1);
				assertThat(Orders.insideTransaction).containsExactly(true);
				Orders.failures.set(1);
				assertThat(orders.place("b")).isEqualTo("b");
				assertThat(transactions.begun.get()).isEqualTo(3);
				assertThat(Orders.insideTransaction).containsExactly(true, true, true);
			});
	}

	@Test
	void withNoInterceptorAfterOursTheTargetIsCalledWithItsArgumentsAndItsFailureArrivesAsThrown() {
		this.runner.withBean(Orders.class)
			.withPropertyValues("retry.policies.network.base-delay=0", "retry.policies.network.max-delay=0")
			.run((context) -> {
				Orders orders = context.getBean(Orders.class);
				assertThat(orders.timed()).isEqualTo("ok");
				IllegalArgumentException refused = new IllegalArgumentException("no such order");
				Orders.refusal = refused;
				org.assertj.core.api.Assertions.assertThatThrownBy(() -> orders.place("c")).isSameAs(refused);
				assertThat(Orders.insideTransaction).containsExactly(false);
			});
	}

	@Test
	void aHedgeOfTheFirstAttemptRunsInsideTheInterceptorsAfterOursToo() {
		this.runner.withUserConfiguration(Transactions.class)
			.withBean(Prices.class)
			.withPropertyValues("retry.policies.hedged.base-delay=0", "retry.policies.hedged.max-delay=0",
					"retry.policies.hedged.hedge-delay=50ms", "retry.policies.hedged.max-hedges=1")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				Prices prices = context.getBean(Prices.class);
				Transactions transactions = context.getBean(Transactions.class);

				assertThat(prices.price("sku-1").get(2, java.util.concurrent.TimeUnit.SECONDS))
					.isEqualTo("hedged sku-1");

				assertThat(Prices.runners).hasValue(2);
				// README: "each retry runs them again: every attempt gets its own transaction".
				assertThat(Prices.insideTransaction).as("each runner (the attempt, then its hedge) in a transaction")
					.containsExactly(true, true);
				assertThat(transactions.begun).hasValue(2);
			});
	}

	@Configuration(proxyBeanMethods = false)
	@EnableTransactionManagement
	static class Transactions {

		final java.util.concurrent.atomic.AtomicInteger begun = new java.util.concurrent.atomic.AtomicInteger();

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

	public static class Orders {

		// Static: the test holds the proxy, whose own fields are not the target's.
		static final java.util.List<Boolean> insideTransaction = new java.util.concurrent.CopyOnWriteArrayList<>();

		static final java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();

		static volatile RuntimeException refusal;

		Orders() {
			insideTransaction.clear();
			failures.set(0);
			refusal = null;
		}

		@Transactional
		@Retryable(policy = "network")
		@CircuitBreaker(name = "inventory")
		public String place(String order) {
			insideTransaction.add(isInsideTransaction());
			if (refusal != null) {
				throw refusal;
			}
			if (failures.getAndDecrement() > 0) {
				throw new org.springframework.dao.TransientDataAccessResourceException("connection reset");
			}
			return order;
		}

		private static boolean isInsideTransaction() {
			try {
				org.springframework.transaction.interceptor.TransactionAspectSupport.currentTransactionStatus();
				return true;
			}
			catch (org.springframework.transaction.NoTransactionException ex) {
				return false;
			}
		}

		@CircuitBreaker(name = "inventory")
		public String guarded() {
			return "ok";
		}

		@Retryable(policy = "bounded")
		public String timed() {
			return "ok";
		}

	}

	public static class Prices {

		static final java.util.List<Boolean> insideTransaction = new java.util.concurrent.CopyOnWriteArrayList<>();

		static final java.util.concurrent.atomic.AtomicInteger runners = new java.util.concurrent.atomic.AtomicInteger();

		Prices() {
			insideTransaction.clear();
			runners.set(0);
		}

		@Transactional
		@Retryable(policy = "hedged")
		public java.util.concurrent.CompletableFuture<String> price(String sku) {
			insideTransaction.add(Orders.isInsideTransaction());
			// The first runner never answers: its hedge does.
			return (runners.incrementAndGet() == 1) ? new java.util.concurrent.CompletableFuture<>()
					: java.util.concurrent.CompletableFuture.completedFuture("hedged " + sku);
		}

	}

}
