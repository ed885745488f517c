package dev.retry.operations;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Reactor is optional: an application without it uses {@link RetryOperations} and never needs a
 * Reactor class. Run in a class loader holding this module's test class path minus every Reactor
 * jar, so that a reference to Reactor anywhere on the path taken fails with
 * {@link NoClassDefFoundError}.
 */
class RetryOperationsWithoutReactorTests {

	@Test
	void synchronousAndAsynchronousCallsNeedNoReactorClass() throws Exception {
		ClassLoader previous = Thread.currentThread().getContextClassLoader();
		try (URLClassLoader withoutReactor = new URLClassLoader(classPathWithoutReactor(),
				ClassLoader.getPlatformClassLoader())) {
			assertThatExceptionOfType(ClassNotFoundException.class)
				.isThrownBy(() -> Class.forName("reactor.core.publisher.Mono", false, withoutReactor));
			Thread.currentThread().setContextClassLoader(withoutReactor);

			Object answer = Class.forName(WithoutReactor.class.getName(), true, withoutReactor)
				.getMethod("run")
				.invoke(null);

			assertThat(answer).isEqualTo("answer 3, later");
		}
		finally {
			Thread.currentThread().setContextClassLoader(previous);
		}
	}

	private static URL[] classPathWithoutReactor() throws Exception {
		String path = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
		List<URL> urls = new ArrayList<>();
		for (String entry : path.split(File.pathSeparator)) {
			if (!entry.isBlank() && !new File(entry).getName().contains("reactor")) {
				urls.add(new File(entry).toURI().toURL());
			}
		}
		return urls.toArray(URL[]::new);
	}

}
