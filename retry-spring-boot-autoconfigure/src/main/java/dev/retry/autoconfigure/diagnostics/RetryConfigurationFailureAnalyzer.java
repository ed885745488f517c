package dev.retry.autoconfigure.diagnostics;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a {@link RetryConfigurationException} anywhere in a start-up failure into Spring Boot's
 * "APPLICATION FAILED TO START" report, instead of a stack trace.
 */
public class RetryConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<RetryConfigurationException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, RetryConfigurationException cause) {
		return new FailureAnalysis(cause.getMessage(), cause.getAction(), cause);
	}

}
