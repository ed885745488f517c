package dev.retry.autoconfigure.interfaces.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

import dev.retry.autoconfigure.config.MethodRegistry;
import dev.retry.autoconfigure.config.MethodRegistry.AnnotatedMethod;
import dev.retry.autoconfigure.interfaces.SpringDataJdbc;
import dev.retry.event.CallTarget;
import dev.retry.event.RetryListener;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurationPackage;

import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import org.springframework.context.annotation.Configuration;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.data.repository.CrudRepository;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring Data JDBC repositories (JDK proxies whose query methods no class implements) on an
 * embedded H2, where another transaction holds the row: the first attempt times out on the lock,
 * the other transaction ends while the retry waits, and the retry succeeds on a fresh transaction.
 */
class JdbcRepositoryRetryTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(SpringDataJdbc.WITH_RETRY)
		.withUserConfiguration(Repositories.class)
		.withBean(ManualClock.class)
		.withBean(LockReleaser.class)
		.withPropertyValues("spring.datasource.url=jdbc:h2:mem:jdbc-retry;LOCK_TIMEOUT=200;DB_CLOSE_DELAY=-1",
				"retry.policies.db.base-delay=50ms", "retry.policies.db.jitter=none");

	@Test
	void lockTimeoutIsRetriedOnAFreshTransactionAndTheRowChangesOnce() {
		this.runner.run((context) -> {
			JdbcTemplate jdbc = prepare(context);
			LockReleaser releaser = context.getBean(LockReleaser.class);

			try (Connection other = lockRow(context, "UPDATE STOCK SET QUANTITY = QUANTITY WHERE SKU = 'a1'")) {
				releaser.release(other);
				assertThat(context.getBean(StockRepository.class).take("a1")).isEqualTo(1);
			}

			assertThat(jdbc.queryForObject("SELECT QUANTITY FROM STOCK WHERE SKU = 'a1'", Integer.class)).isEqualTo(9);
			assertThat(releaser.failures).singleElement().isInstanceOf(TransientDataAccessException.class);
			assertThat(releaser.transactionActiveAtFailure).as("the failed attempt's transaction had ended")
				.containsExactly(false);
			assertThat(context.getBean(ManualClock.class).sleeps()).containsExactly(Duration.ofMillis(50));
		});
	}

	@Test
	void inheritedGenericMethodCalledThroughCrudRepositoryCarriesTheRedeclaredAnnotation() {
		this.runner.run((context) -> {
			JdbcTemplate jdbc = prepare(context);
			LockReleaser releaser = context.getBean(LockReleaser.class);
			CrudRepository<Stock, String> generic = context.getBean(StockRepository.class);

			try (Connection other = lockRow(context, "UPDATE STOCK SET QUANTITY = QUANTITY WHERE SKU = 'b1'")) {
				releaser.release(other);
				generic.save(new Stock("b1", 5));
			}

			assertThat(jdbc.queryForObject("SELECT QUANTITY FROM STOCK WHERE SKU = 'b1'", Integer.class)).isEqualTo(5);
			assertThat(releaser.failures).hasSize(1);
			assertThat(releaser.targets).containsExactly("StockRepository.save");
		});
	}

	@Test
	void typeLevelAnnotationCoversTheMethodsInheritedFromCrudRepository() {
		this.runner.run((context) -> {
			JdbcTemplate jdbc = prepare(context);
			LockReleaser releaser = context.getBean(LockReleaser.class);

			try (Connection other = lockRow(context, "UPDATE LEDGER SET NOTE = NOTE WHERE ID = 1")) {
				releaser.release(other);
				context.getBean(LedgerRepository.class).save(new LedgerEntry(1L, "settled"));
			}

			assertThat(jdbc.queryForObject("SELECT NOTE FROM LEDGER WHERE ID = 1", String.class)).isEqualTo("settled");
			assertThat(releaser.targets).containsExactly("LedgerRepository.save");
		});
	}

	@Test
	void endpointShowsTheRetryOutsideTheRepositorysTransaction() {
		this.runner.run((context) -> {
			// Repositories are made when first injected, as into a service at start-up.
			context.getBean(StockRepository.class);
			context.getBean(LedgerRepository.class);
			List<AnnotatedMethod> methods = context.getBean(MethodRegistry.class).methods();

			assertThat(methods).filteredOn((method) -> method.method().equals("StockRepository.take"))
				.singleElement()
				.satisfies((method) -> assertThat(method.interceptors()).startsWith("retry(db)")
					.contains("transaction"));
			assertThat(methods).extracting(AnnotatedMethod::method)
				.contains("LedgerRepository.save", "LedgerRepository.findById", "LedgerRepository.count");
		});
	}

	private static JdbcTemplate prepare(AssertableApplicationContext context) {
		JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
		jdbc.execute("CREATE TABLE IF NOT EXISTS STOCK (SKU VARCHAR(20) PRIMARY KEY, QUANTITY INT NOT NULL)");
		jdbc.execute("CREATE TABLE IF NOT EXISTS LEDGER (ID BIGINT PRIMARY KEY, NOTE VARCHAR(100))");
		jdbc.execute("MERGE INTO STOCK KEY (SKU) VALUES ('a1', 10), ('b1', 10)");
		jdbc.execute("MERGE INTO LEDGER KEY (ID) VALUES (1, 'open')");
		return jdbc;
	}

	/** Another transaction, on a connection of its own, holding the row lock its update took. */
	private static Connection lockRow(AssertableApplicationContext context, String update) throws SQLException {
		Connection connection = context.getBean(DataSource.class).getConnection();
		connection.setAutoCommit(false);
		try (Statement statement = connection.createStatement()) {
			statement.executeUpdate(update);
		}
		return connection;
	}

	@Configuration(proxyBeanMethods = false)
	@AutoConfigurationPackage
	static class Repositories {

	}

	/** Ends the other transaction when the first retry is scheduled, and records what each attempt saw. */
	static class LockReleaser implements RetryListener {

		final List<Throwable> failures = new CopyOnWriteArrayList<>();

		final List<Boolean> transactionActiveAtFailure = new CopyOnWriteArrayList<>();

		final List<String> targets = new CopyOnWriteArrayList<>();

		private volatile Connection holder;

		void release(Connection holder) {
			this.holder = holder;
		}

		@Override
		public void onAttemptFailed(CallTarget target, int attempt, Throwable failure) {
			this.failures.add(failure);
			this.targets.add(target.name());
			this.transactionActiveAtFailure.add(TransactionSynchronizationManager.isActualTransactionActive());
		}

		@Override
		public void onRetryScheduled(CallTarget target, int nextAttempt, int maxAttempts, Duration delay,
				Throwable failure) {
			Connection holder = this.holder;
			if (holder != null) {
				try {
					holder.rollback();
				}
				catch (SQLException ex) {
					throw new IllegalStateException(ex);
				}
			}
		}

	}

}
