package dev.retry.autoconfigure.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.retry.autoconfigure.diagnostics.RetryConfigurationException;

import org.springframework.util.ClassUtils;

/**
 * Checks configured values, and reports a bad one by the property that supplied it, its value,
 * its origin and what is allowed.
 */
final class ValueChecks {

	static final String LIBRARY_DEFAULT = "library default";

	/** The longest duration the engine can count: Long.MAX_VALUE nanoseconds, about 292 years. */
	private static final Duration LONGEST = Duration.ofNanos(Long.MAX_VALUE);

	private final ClassLoader classLoader;

	ValueChecks(ClassLoader classLoader) {
		this.classLoader = classLoader;
	}

	int intWithin(ValueSource source, int min, int max, String allowed) {
		int value = ((Number) source.value()).intValue();
		if (value < min || value > max) {
			throw invalid(source, "out of range", allowed);
		}
		return value;
	}

	double doubleWithin(ValueSource source, double min, double max, String allowed) {
		double value = ((Number) source.value()).doubleValue();
		if (!(value >= min && value <= max)) {
			throw invalid(source, "out of range", allowed);
		}
		return value;
	}

	Duration duration(ValueSource source, String allowed) {
		Duration value = required(source, Duration.class, allowed);
		if (value.isNegative()) {
			throw invalid(source, "negative duration", allowed);
		}
		if (value.compareTo(LONGEST) > 0) {
			throw invalid(source, "out of range: longer than the 292 years a duration can count in nanoseconds",
					allowed);
		}
		return value;
	}

	/** A duration above zero; {@code whyNotZero} says what zero would mean. */
	Duration positiveDuration(ValueSource source, String whyNotZero, String allowed) {
		Duration value = duration(source, allowed);
		if (value.isZero()) {
			throw invalid(source, whyNotZero, allowed);
		}
		return value;
	}

	<T> T required(ValueSource source, Class<T> type, String allowed) {
		if (!type.isInstance(source.value())) {
			throw invalid(source, "no value", allowed);
		}
		return type.cast(source.value());
	}

	List<Integer> statuses(ValueSource source) {
		@SuppressWarnings("unchecked")
		List<Integer> statuses = (List<Integer>) source.value();
		for (Integer status : statuses) {
			if (status == null || status < 100 || status > 599) {
				throw invalid(source, "'" + status + "' is not an HTTP status", "a list of HTTP statuses within 100 and 599");
			}
		}
		return statuses;
	}

	List<Class<? extends Throwable>> exceptionTypes(ValueSource source) {
		@SuppressWarnings("unchecked")
		List<String> names = (List<String>) source.value();
		List<Class<? extends Throwable>> types = new ArrayList<>();
		String allowed = "a list of fully qualified names of exception classes on the classpath, "
				+ "such as java.net.ConnectException";
		for (String name : names) {
			Class<?> type;
			try {
				type = ClassUtils.forName(name.trim(), this.classLoader);
			}
			catch (ClassNotFoundException | LinkageError ex) {
				throw invalid(source, "no class named '" + name + "' on the classpath", allowed);
			}
			if (!Throwable.class.isAssignableFrom(type)) {
				throw invalid(source, "'" + name + "' is not an exception (not a java.lang.Throwable)", allowed);
			}
			@SuppressWarnings("unchecked")
			Class<? extends Throwable> throwable = (Class<? extends Throwable>) type;
			types.add(throwable);
		}
		return types;
	}

	static RetryConfigurationException invalid(ValueSource source, String reason, String allowed) {
		String origin = LIBRARY_DEFAULT.equals(source.origin()) ? null : source.origin();
		return RetryConfigurationException.invalidProperty(source.property(), source.value(), origin, reason, allowed);
	}

}
