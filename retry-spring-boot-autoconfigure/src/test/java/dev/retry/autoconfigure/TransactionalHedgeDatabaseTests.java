package dev.retry.autoconfigure;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import dev.retry.annotation.Retryable;
import dev.retry.time.ManualClock;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.embedded.EmbeddedDatabaseBuilder;
import org.springframework.jdbc.datasource.embedded.EmbeddedDatabaseType;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A hedged {@code @Transactional} method on a real database (embedded H2, Spring's
 * {@code DataSourceTransactionManager}): each runner, the attempt and its hedge, works in a
 * database transaction of its own, on its own thread, that commits or rolls back as that runner's
 * method returns; nothing of it stays bound to the watchdog thread the hedge ran on.
 */
class TransactionalHedgeDatabaseTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class))
		.withUserConfiguration(Database.class)
		.withBean(ManualClock.class)
		.withBean(Reservations.class)
		.withPropertyValues("retry.policies.hedged.base-delay=0", "retry.policies.hedged.max-delay=0",
				"retry.policies.hedged.hedge-delay=50ms", "retry.policies.hedged.max-hedges=1");

	@Test
	void aHedgeThatAnswersCommitsItsOwnTransactionBesideTheSlowAttempts() {
		this.runner.run((context) -> {
			Reservations reservations = context.getBean(Reservations.class);
			JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);

			for (int call = 1; call <= 3; call++) {
				Reservations.script(Script.FIRST_NEVER_ANSWERS);
				assertThat(reservations.reserve("sku-" + call).get(2, TimeUnit.SECONDS)).isEqualTo("reserved by 2");
			}

			// Each runner's insert committed when its method returned: the losing attempt's too.
			assertThat(jdbc.queryForList("select runner from reservation where sku = 'sku-3' order by runner",
					Integer.class))
				.containsExactly(1, 2);
			assertThat(Reservations.seen).as("each runner in a transaction of its own").hasSize(6)
				.allMatch(Runner::inTransaction)
				.extracting(Runner::connection)
				.doesNotHaveDuplicates();
			assertThat(Reservations.seen).as("the hedges, on the watchdog thread, inherited nothing")
				.filteredOn((seen) -> seen.runner() == 2)
				.allMatch((seen) -> seen.resourcesBefore() == 0);
		});
	}

	@Test
	void aHedgeThatFailsRollsBackItsOwnWorkAndTheAttemptStillAnswers() {
		this.runner.run((context) -> {
			Reservations reservations = context.getBean(Reservations.class);
			JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
			Reservations.script(Script.HEDGE_FAILS);

			CompletableFuture<String> call = reservations.reserve("sku-9");
			org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(2))
				.until(() -> Reservations.runners.get() == 2);
			Reservations.firstAnswer.complete("reserved by 1");

			assertThat(call.get(2, TimeUnit.SECONDS)).isEqualTo("reserved by 1");
			assertThat(jdbc.queryForList("select runner from reservation where sku = 'sku-9'", Integer.class))
				.as("the failed hedge's insert rolled back")
				.containsExactly(1);
		});
	}

	enum Script {

		/** The first runner never answers; its hedge does. */
		FIRST_NEVER_ANSWERS,

		/** The hedge throws after its insert; the first runner answers when the test says. */
		HEDGE_FAILS

	}

	/** What one runner saw inside its method. */
	record Runner(int runner, boolean inTransaction, Object connection, int resourcesBefore) {
	}

	public static class Reservations {

		static final List<Runner> seen = new java.util.concurrent.CopyOnWriteArrayList<>();

		static final AtomicInteger runners = new AtomicInteger();

		static volatile Script script = Script.FIRST_NEVER_ANSWERS;

		static volatile CompletableFuture<String> firstAnswer = new CompletableFuture<>();

		private final JdbcTemplate jdbc;

		private final DataSource dataSource;

		public Reservations(JdbcTemplate jdbc, DataSource dataSource) {
			this.jdbc = jdbc;
			this.dataSource = dataSource;
			seen.clear();
		}

		static void script(Script next) {
			script = next;
			runners.set(0);
			firstAnswer = new CompletableFuture<>();
		}

		@Transactional
		@Retryable(policy = "hedged")
		public CompletableFuture<String> reserve(String sku) {
			int runner = runners.incrementAndGet();
			// The transaction's own resource is bound to this thread: anything else was left behind.
			int resourcesBefore = TransactionSynchronizationManager.getResourceMap().size() - 1;
			this.jdbc.update("insert into reservation (sku, runner) values (?, ?)", sku, runner);
			seen.add(new Runner(runner, TransactionSynchronizationManager.isActualTransactionActive(),
					connection(), resourcesBefore));
			if (runner == 1) {
				return (script == Script.HEDGE_FAILS) ? firstAnswer : new CompletableFuture<>();
			}
			if (script == Script.HEDGE_FAILS) {
				throw new IllegalStateException("the hedge's reservation failed");
			}
			return CompletableFuture.completedFuture("reserved by " + runner);
		}

		private @Nullable Object connection() {
			Object holder = TransactionSynchronizationManager.getResource(this.dataSource);
			return (holder instanceof org.springframework.jdbc.datasource.ConnectionHolder connection)
					? connection.getConnection() : null;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableTransactionManagement
	static class Database {

		@Bean(destroyMethod = "shutdown")
		org.springframework.jdbc.datasource.embedded.EmbeddedDatabase dataSource() {
			return new EmbeddedDatabaseBuilder().setType(EmbeddedDatabaseType.H2)
				.generateUniqueName(true)
				.addScript("classpath:reservations.sql")
				.build();
		}

		@Bean
		JdbcTemplate jdbcTemplate(DataSource dataSource) {
			return new JdbcTemplate(dataSource);
		}

		@Bean
		PlatformTransactionManager transactionManager(DataSource dataSource) {
			return new DataSourceTransactionManager(dataSource);
		}

	}

}
