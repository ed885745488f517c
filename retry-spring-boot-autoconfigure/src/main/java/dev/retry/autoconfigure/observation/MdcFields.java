package dev.retry.autoconfigure.observation;

import dev.retry.event.CallTarget;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

import org.springframework.util.ClassUtils;

/**
 * The attempt's fields in the SLF4J MDC ({@code retry.method}, {@code retry.policy},
 * {@code retry.attempt}) while it is current; what was there before is put back after, so nothing
 * leaks to the next task on the thread.
 */
final class MdcFields {

	static final String METHOD = "retry.method";

	static final String POLICY = "retry.policy";

	static final String ATTEMPT = "retry.attempt";

	private MdcFields() {
	}

	/** The MDC fields, or {@code null} without SLF4J. */
	static @Nullable MdcFields ifAvailable() {
		return ClassUtils.isPresent("org.slf4j.MDC", MdcFields.class.getClassLoader()) ? new MdcFields() : null;
	}

	Restore put(CallTarget target, int attempt) {
		String method = MDC.get(METHOD);
		String policy = MDC.get(POLICY);
		String number = MDC.get(ATTEMPT);
		MDC.put(METHOD, target.name());
		MDC.put(POLICY, target.policy());
		MDC.put(ATTEMPT, Integer.toString(attempt));
		return () -> {
			restore(METHOD, method);
			restore(POLICY, policy);
			restore(ATTEMPT, number);
		};
	}

	private static void restore(String key, @Nullable String previous) {
		if (previous != null) {
			MDC.put(key, previous);
		}
		else {
			MDC.remove(key);
		}
	}

	/** Puts the MDC back as it was. */
	interface Restore extends Runnable {

	}

}
