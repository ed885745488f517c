package dev.retry.autoconfigure.logging;

import dev.retry.event.CallTarget;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

import org.springframework.util.ClassUtils;

/**
 * Where the library's own lines about a call go. With SLF4J (any Spring Boot application) each
 * line carries the call's {@code retry.method}, {@code retry.policy} and {@code retry.attempt} as
 * key-value pairs, which Spring Boot's structured logging (ECS, Logstash, GELF) writes as fields;
 * without it, plain Commons Logging lines.
 */
abstract class LogLines {

	static final String METHOD = "retry.method";

	static final String POLICY = "retry.policy";

	static final String ATTEMPT = "retry.attempt";

	static LogLines forLogger(String name) {
		if (ClassUtils.isPresent("org.slf4j.spi.LoggingEventBuilder", LogLines.class.getClassLoader())) {
			return new Slf4j(LoggerFactory.getLogger(name));
		}
		return new Plain(LogFactory.getLog(name));
	}

	abstract boolean isInfoEnabled();

	abstract boolean isDebugEnabled();

	abstract void info(CallTarget target, int attempt, String message);

	abstract void warn(CallTarget target, int attempt, String message);

	abstract void debug(CallTarget target, int attempt, String message);

	private static final class Slf4j extends LogLines {

		private final Logger logger;

		Slf4j(Logger logger) {
			this.logger = logger;
		}

		@Override
		boolean isInfoEnabled() {
			return this.logger.isInfoEnabled();
		}

		@Override
		boolean isDebugEnabled() {
			return this.logger.isDebugEnabled();
		}

		@Override
		void info(CallTarget target, int attempt, String message) {
			log(this.logger.atInfo(), target, attempt, message);
		}

		@Override
		void warn(CallTarget target, int attempt, String message) {
			log(this.logger.atWarn(), target, attempt, message);
		}

		@Override
		void debug(CallTarget target, int attempt, String message) {
			log(this.logger.atDebug(), target, attempt, message);
		}

		private static void log(LoggingEventBuilder line, CallTarget target, int attempt, String message) {
			line.addKeyValue(METHOD, target.name())
				.addKeyValue(POLICY, target.policy())
				.addKeyValue(ATTEMPT, attempt)
				.log(message);
		}

	}

	private static final class Plain extends LogLines {

		private final Log logger;

		Plain(Log logger) {
			this.logger = logger;
		}

		@Override
		boolean isInfoEnabled() {
			return this.logger.isInfoEnabled();
		}

		@Override
		boolean isDebugEnabled() {
			return this.logger.isDebugEnabled();
		}

		@Override
		void info(CallTarget target, int attempt, String message) {
			this.logger.info(message);
		}

		@Override
		void warn(CallTarget target, int attempt, String message) {
			this.logger.warn(message);
		}

		@Override
		void debug(CallTarget target, int attempt, String message) {
			this.logger.debug(message);
		}

	}

}
