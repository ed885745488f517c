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

	@Configuration(proxyBeanMethods = false)
	@EnableTransactionManagement
	static class Transactions {

		@Bean
		PlatformTransactionManager transactionManager() {
			return new PlatformTransactionManager() {
				@Override
				public TransactionStatus getTransaction(TransactionDefinition definition) {
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

		@Transactional
		@Retryable(policy = "network")
		@CircuitBreaker(name = "inventory")
		public String place(String order) {
			return order;
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

}
