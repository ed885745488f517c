package dev.retry.autoconfigure.interfaces.fragment;

import java.time.Duration;

import dev.retry.autoconfigure.config.MethodRegistry;
import dev.retry.autoconfigure.config.MethodRegistry.AnnotatedMethod;
import dev.retry.autoconfigure.interfaces.SpringDataJdbc;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurationPackage;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import org.springframework.context.annotation.Configuration;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A Spring Data JDBC repository with a custom fragment whose interface carries the annotation: the
 * fragment's implementation is a bean of its own, intercepted where its code runs, and the
 * repository hands the call to it; one retry, not one inside another.
 */
class RepositoryFragmentRetryTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(SpringDataJdbc.WITH_RETRY)
		.withUserConfiguration(Repositories.class)
		.withBean(ManualClock.class)
		.withPropertyValues("spring.datasource.url=jdbc:h2:mem:fragment-retry;DB_CLOSE_DELAY=-1",
				"retry.policies.db.base-delay=50ms", "retry.policies.db.jitter=none");

	@Test
	void aFragmentMethodCalledThroughTheRepositoryIsRetriedOnceNotOneRetryInsideAnother() {
		this.runner.run((context) -> {
			AuditImpl.calls.set(0);

			assertThatExceptionOfType(TransientDataAccessResourceException.class)
				.isThrownBy(() -> context.getBean(AuditedRepository.class).audit("n"));

			assertThat(AuditImpl.calls).as("the policy's 3 attempts, not 3 times 3").hasValue(3);
			assertThat(context.getBean(ManualClock.class).sleeps()).containsExactly(Duration.ofMillis(50),
					Duration.ofMillis(100));
			assertThat(context.getBean(MethodRegistry.class).methods()).extracting(AnnotatedMethod::method)
				.contains("AuditImpl.audit")
				.doesNotContain("AuditedRepository.audit");
		});
	}

	@Test
	void aDefaultMethodFallbackOfARepositoryRunsOnItsProxyAndQueriesThroughIt() {
		this.runner.withPropertyValues("retry.policies.db.retry-on=org.springframework.dao.DataAccessException")
			.run((context) -> {
				context.getBean(JdbcTemplate.class).execute("CREATE TABLE IF NOT EXISTS NOTE (ID BIGINT PRIMARY KEY, TEXT VARCHAR(100))");
				context.getBean(JdbcTemplate.class).execute("MERGE INTO NOTE KEY (ID) VALUES (1, 'one'), (2, 'two')");

				assertThat(context.getBean(AuditedRepository.class).textOf(1))
					.isEqualTo("note 1 unreadable (BadSqlGrammarException), 2 notes");
				assertThat(context.getBean(ManualClock.class).sleeps()).as("retried before falling back").hasSize(2);
			});
	}

	@Configuration(proxyBeanMethods = false)
	@AutoConfigurationPackage
	static class Repositories {

	}

}
