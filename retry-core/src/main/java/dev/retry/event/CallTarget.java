package dev.retry.event;

/**
 * What is being called, as listeners, logs and metrics name it. Built once per method.
 * @param name the method as {@code SimpleClassName.method}
 * @param policy the name of the retry policy that applies
 */
public record CallTarget(String name, String policy) {

	@Override
	public String toString() {
		return this.name;
	}

}
