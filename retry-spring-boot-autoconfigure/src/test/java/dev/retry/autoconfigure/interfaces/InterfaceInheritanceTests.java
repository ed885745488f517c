package dev.retry.autoconfigure.interfaces;

import java.lang.reflect.Proxy;
import java.net.ConnectException;
import java.util.concurrent.atomic.AtomicInteger;

import dev.retry.annotation.Retryable;
import dev.retry.autoconfigure.RetryAutoConfiguration;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.FactoryBean;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Interfaces in a hierarchy, as client and repository interfaces are written: a method overridden
 * in a sub-interface with its own annotation, a generic super-interface whose method's fallback
 * the sub-interface declares with the type arguments, a type-level fallback.
 */
class InterfaceInheritanceTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class))
		.withBean(ManualClock.class)
		.withPropertyValues("retry.policies.quick.base-delay=10ms", "retry.policies.patient.max-attempts=5",
				"retry.policies.patient.base-delay=10ms");

	@Test
	void aSubInterfaceOverridingAnAnnotatedMethodWithItsOwnAnnotationUsesItsOwnWhateverTheCallersType() {
		this.runner.withBean("lookup", PatientLookup.class, () -> proxy(PatientLookup.class, 4)).run((context) -> {
			BaseLookup lookup = context.getBean(PatientLookup.class);

			assertThat(lookup.find("k")).as("the sub-interface's 5 attempts, not the super-interface's 3")
				.isEqualTo("find k after 5 calls");
		});
	}

	@Test
	void fallbackDeclaredWithTheTypeArgumentsOfAGenericSuperInterfaceIsFoundAndAnswers() {
		this.runner.withBean("lookup", StockLookup.class, () -> proxy(StockLookup.class, 100)).run((context) -> {
			assertThat(context).hasNotFailed();

			assertThat(context.getBean(StockLookup.class).get("k")).isEqualTo("cached k after ConnectException");
			assertThat(context.getBean(ManualClock.class).sleeps()).as("retried before falling back").hasSize(2);
		});
	}

	@Test
	void aFallbackWithTheWrongParametersForTheTypeArgumentsStillFailsStartUpNamingTheResolvedSignature() {
		this.runner.withBean("lookup", MistypedLookup.class, () -> proxy(MistypedLookup.class, 100)).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageStartingWith("@Retryable(fallback = \"cached\") on MistypedLookup.get(String) names no "
						+ "matching fallback method. Found: String cached(Long, Throwable).");
		});
	}

	@Test
	void typeLevelAnnotationWithAFallbackOnAnInterfaceAnswersWithItsDefaultMethod() {
		this.runner.withBean("lookup", TypeLevel.class, () -> proxy(TypeLevel.class, 100)).run((context) -> {
			assertThat(context).hasNotFailed();

			assertThat(context.getBean(TypeLevel.class).get("k")).isEqualTo("fallback k");
		});
	}

	@SuppressWarnings("unchecked")
	static <T> T proxy(Class<T> type, int failing) {
		AtomicInteger calls = new AtomicInteger();
		return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type }, (proxy, method, arguments) -> {
			if (method.isDefault()) {
				return java.lang.reflect.InvocationHandler.invokeDefault(proxy, method, arguments);
			}
			if (method.getDeclaringClass() == Object.class) {
				return method.invoke(calls, arguments);
			}
			int call = calls.incrementAndGet();
			if (call <= failing) {
				throw new ConnectException("refused #" + call);
			}
			return method.getName() + " " + arguments[0] + " after " + call + " calls";
		});
	}

	public interface BaseLookup {

		@Retryable(policy = "quick")
		String find(String key) throws ConnectException;

	}

	public interface PatientLookup extends BaseLookup {

		@Override
		@Retryable(policy = "patient")
		String find(String key) throws ConnectException;

	}

	public interface Crud<T, ID> {

		@Retryable(policy = "quick", fallback = "cached")
		T get(ID id) throws ConnectException;

	}

	public interface StockLookup extends Crud<String, String> {

		default String cached(String id, Throwable failure) {
			return "cached " + id + " after " + failure.getClass().getSimpleName();
		}

	}

	public interface MistypedLookup extends Crud<String, String> {

		default String cached(Long id, Throwable failure) {
			return "cached " + id;
		}

	}

	@Retryable(policy = "quick", fallback = "fallback")
	public interface TypeLevel {

		String get(String id) throws ConnectException;

		default String fallback(String id, Throwable failure) {
			return "fallback " + id;
		}

	}

}
