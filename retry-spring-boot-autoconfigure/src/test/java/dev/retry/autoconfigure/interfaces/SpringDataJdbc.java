package dev.retry.autoconfigure.interfaces;

import dev.retry.autoconfigure.RetryAutoConfiguration;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.jdbc.autoconfigure.DataJdbcRepositoriesAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;

/** What a Spring Boot application with Spring Data JDBC repositories and this starter auto-configures. */
public final class SpringDataJdbc {

	/** An embedded database (H2 here), its transactions, Spring Data JDBC's repositories and ours. */
	public static final AutoConfigurations WITH_RETRY = AutoConfigurations.of(DataSourceAutoConfiguration.class,
			DataSourceTransactionManagerAutoConfiguration.class, JdbcTemplateAutoConfiguration.class,
			TransactionAutoConfiguration.class, DataJdbcRepositoriesAutoConfiguration.class,
			RetryAutoConfiguration.class);

	private SpringDataJdbc() {
	}

}
