package dev.retry.autoconfigure.interfaces.jpa;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

import dev.retry.autoconfigure.RetryAutoConfiguration;
import dev.retry.autoconfigure.config.MethodRegistry;
import dev.retry.autoconfigure.config.MethodRegistry.AnnotatedMethod;
import dev.retry.event.CallTarget;
import dev.retry.event.RetryListener;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurationPackage;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.jpa.autoconfigure.DataJpaRepositoriesAutoConfiguration;
import org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Spring Data JPA repository (Hibernate) on an embedded H2, with another transaction holding the
 * row: the update times out on the lock, and the retry succeeds on a fresh transaction.
 */
class JpaRepositoryRetryTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, HibernateJpaAutoConfiguration.class,
				TransactionAutoConfiguration.class, DataJpaRepositoriesAutoConfiguration.class,
				RetryAutoConfiguration.class))
		.withUserConfiguration(Repositories.class)
		.withBean(ManualClock.class)
		.withBean(LockReleaser.class)
		.withPropertyValues("spring.datasource.url=jdbc:h2:mem:jpa-retry;LOCK_TIMEOUT=200;DB_CLOSE_DELAY=-1",
				"spring.jpa.hibernate.ddl-auto=create-drop", "retry.policies.db.base-delay=50ms",
				"retry.policies.db.jitter=none");

	@Test
	void lockTimeoutIsRetriedOnAFreshTransactionAndTheBalanceChangesOnce() {
		this.runner.run((context) -> {
			AccountRepository accounts = context.getBean(AccountRepository.class);
			accounts.save(new Account(1L, 100));
			LockReleaser releaser = context.getBean(LockReleaser.class);

			try (Connection other = context.getBean(DataSource.class).getConnection()) {
				other.setAutoCommit(false);
				try (Statement statement = other.createStatement()) {
					statement.executeUpdate("UPDATE ACCOUNT SET BALANCE = BALANCE WHERE ID = 1");
				}
				releaser.holder = other;
				assertThat(accounts.deposit(1L, 5)).isEqualTo(1);
			}

			assertThat(new JdbcTemplate(context.getBean(DataSource.class))
				.queryForObject("SELECT BALANCE FROM ACCOUNT WHERE ID = 1", Integer.class)).isEqualTo(105);
			assertThat(releaser.failures).singleElement().isInstanceOf(TransientDataAccessException.class);
			assertThat(releaser.transactionActiveAtFailure).containsExactly(false);
			assertThat(context.getBean(ManualClock.class).sleeps()).containsExactly(Duration.ofMillis(50));
			assertThat(context.getBean(MethodRegistry.class).methods())
				.filteredOn((method) -> method.method().equals("AccountRepository.deposit"))
				.singleElement()
				.extracting(AnnotatedMethod::interceptors)
				.satisfies((interceptors) -> assertThat(interceptors).startsWith("retry(db)").contains("transaction"));
		});
	}

	@Configuration(proxyBeanMethods = false)
	@AutoConfigurationPackage
	static class Repositories {

	}

	/** Ends the other transaction when the retry is scheduled; records what the failed attempt left. */
	static class LockReleaser implements RetryListener {

		final List<Throwable> failures = new CopyOnWriteArrayList<>();

		final List<Boolean> transactionActiveAtFailure = new CopyOnWriteArrayList<>();

		volatile Connection holder;

		@Override
		public void onAttemptFailed(CallTarget target, int attempt, Throwable failure) {
			this.failures.add(failure);
			this.transactionActiveAtFailure.add(TransactionSynchronizationManager.isActualTransactionActive());
		}

		@Override
		public void onRetryScheduled(CallTarget target, int nextAttempt, int maxAttempts, Duration delay,
				Throwable failure) {
			try {
				this.holder.rollback();
			}
			catch (SQLException ex) {
				throw new IllegalStateException(ex);
			}
		}

	}

}
