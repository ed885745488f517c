package dev.retry.autoconfigure.aot;

import java.net.ConnectException;
import java.util.Map;
import java.util.function.Predicate;

import dev.retry.annotation.CircuitBreaker;
import dev.retry.annotation.Retryable;
import org.junit.jupiter.api.Test;

import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.aot.generate.ClassNameGenerator;
import org.springframework.aot.generate.DefaultGenerationContext;
import org.springframework.aot.generate.InMemoryGeneratedFiles;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.TypeReference;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.beans.factory.aot.BeanFactoryInitializationAotContribution;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.javapoet.ClassName;

import static org.assertj.core.api.Assertions.assertThat;

/** The hints a native image needs, computed ahead of time from the beans and the configuration. */
class RetryAotProcessorTests {

	private RuntimeHints process(Map<String, Object> properties) {
		DefaultListableBeanFactory beanFactory = new DefaultListableBeanFactory();
		beanFactory.registerBeanDefinition("inventory", new RootBeanDefinition(Inventory.class));
		beanFactory.registerBeanDefinition("inventoryApi", new RootBeanDefinition(InventoryApi.class));
		beanFactory.registerBeanDefinition("plain", new RootBeanDefinition(Plain.class));
		return process(beanFactory, properties);
	}

	private RuntimeHints process(DefaultListableBeanFactory beanFactory, Map<String, Object> properties) {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources().addFirst(new MapPropertySource("build time", properties));
		beanFactory.registerSingleton("environment", environment);
		BeanFactoryInitializationAotContribution contribution = new RetryAotProcessor().processAheadOfTime(beanFactory);
		DefaultGenerationContext generation = new DefaultGenerationContext(
				new ClassNameGenerator(ClassName.get("com.example", "Application")), new InMemoryGeneratedFiles());
		contribution.applyTo(generation, null);
		return generation.getRuntimeHints();
	}

	@Test
	void annotatedMethodsAndTheirFallbacksCanBeInvoked() throws Exception {
		RuntimeHints hints = process(Map.of());

		assertThat(RuntimeHintsPredicates.reflection()
			.onMethodInvocation(Inventory.class.getMethod("stock", String.class))).accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection()
			.onMethodInvocation(Inventory.class.getDeclaredMethod("cachedStock", String.class, Throwable.class)))
			.accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection()
			.onMethodInvocation(Inventory.class.getDeclaredMethod("lastKnown", String.class))).accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onType(Retryable.class)).accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onType(CircuitBreaker.class)).accepts(hints);
	}

	@Test
	void interfaceBeansMethodsTheirDefaultFallbackAndTheProxyAroundThemAreRegistered() throws Exception {
		RuntimeHints hints = process(Map.of());

		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(InventoryApi.class.getMethod("stock", String.class)))
			.accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection()
			.onMethodInvocation(InventoryApi.class.getMethod("lastKnown", String.class, Throwable.class))).accepts(hints);
		assertThat(RuntimeHintsPredicates.proxies()
			.forInterfaces(AopProxyUtils.completeJdkProxyInterfaces(InventoryApi.class))).accepts(hints);
		assertThat(RuntimeHintsPredicates.proxies()
			.forInterfaces(AopProxyUtils.completeJdkProxyInterfaces(Plain.class))).rejects(hints);
	}

	@Test
	void resultPredicatesCanBeMadeWithTheirNoArgumentConstructor() throws Exception {
		RuntimeHints hints = process(Map.of());

		assertThat(RuntimeHintsPredicates.reflection()
			.onConstructorInvocation(StillPending.class.getDeclaredConstructor())).accepts(hints);
	}

	@Test
	void exceptionClassesNamedInTheConfigurationKnownAtBuildTimeAreRegistered() {
		RuntimeHints hints = process(Map.of("retry.defaults.retry-on", "java.net.ConnectException",
				"retry.policies.payments.no-retry-on", "com.example.PaymentDeclinedException",
				"retry.circuit-breakers.inventory.record-on", "java.io.IOException",
				"retry.circuit-breakers.inventory.ignore-on", "java.lang.IllegalArgumentException"));

		assertThat(RuntimeHintsPredicates.reflection().onType(ConnectException.class)).accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onType(TypeReference.of("com.example.PaymentDeclinedException")))
			.accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onType(java.io.IOException.class)).accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onType(IllegalArgumentException.class)).accepts(hints);
	}

	@Test
	void nestedExceptionClassesAreRegisteredUnderTheirBinaryName() {
		RuntimeHints hints = process(Map.of("retry.defaults.retry-on",
				"dev.retry.autoconfigure.aot.RetryAotProcessorTests.Outage",
				"retry.circuit-breakers.inventory.ignore-on", "dev.retry.autoconfigure.aot.RetryAotProcessorTests$Refusal"));

		// ClassUtils.forName loads Outer.Inner as Outer$Inner at run time: the hint must name that class
		// (a native image's reflection metadata is keyed by the binary name, Outer$Inner).
		assertThat(hints.reflection().typeHints().map((hint) -> hint.getType().getName()))
			.contains(Outage.class.getName(), Refusal.class.getName())
			.doesNotContain("dev.retry.autoconfigure.aot.RetryAotProcessorTests.Outage");
	}

	@Test
	void annotatedMethodsOfABeanWhoseBeanMethodDeclaresAnInterfaceAreRegistered() throws Exception {
		DefaultListableBeanFactory beanFactory = new DefaultListableBeanFactory();
		RootBeanDefinition definition = new RootBeanDefinition(Clients.class);
		definition.setUniqueFactoryMethodName("stock");
		beanFactory.registerBeanDefinition("stock", definition);

		RuntimeHints hints = process(beanFactory, Map.of());

		// @Bean Stock stock() { return new AnnotatedStock(); }: AOT sees Stock, the proxy AnnotatedStock.
		assertThat(RuntimeHintsPredicates.reflection()
			.onMethodInvocation(AnnotatedStock.class.getMethod("level", String.class))).accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection()
			.onMethodInvocation(AnnotatedStock.class.getDeclaredMethod("lastKnown", String.class))).accepts(hints);
	}

	public interface Stock {

		int level(String sku);

	}

	public static class AnnotatedStock implements Stock {

		@Override
		@Retryable(policy = "network", fallback = "lastKnown")
		public int level(String sku) {
			return 1;
		}

		int lastKnown(String sku) {
			return 0;
		}

	}

	/** An HTTP service client or Feign client interface: its bean may be a proxy of it. */
	public interface InventoryApi {

		@Retryable(policy = "network", fallback = "lastKnown")
		String stock(String sku);

		default String lastKnown(String sku, Throwable failure) {
			return sku;
		}

	}

	public interface Plain {

		String name();

	}

	public static class Clients {

		/** Declares the interface, as many @Bean methods do; the class it makes is only in the bytecode. */
		public static Stock stock() {
			return new AnnotatedStock();
		}

	}

	public static class Outage extends RuntimeException {

	}

	public static class Refusal extends RuntimeException {

	}

	public static class StillPending implements Predicate<String> {

		@Override
		public boolean test(String status) {
			return "PENDING".equals(status);
		}

	}

	public static class Inventory {

		@Retryable(policy = "network", fallback = "cachedStock", retryOnResult = StillPending.class)
		public String stock(String sku) {
			return sku;
		}

		@CircuitBreaker(name = "inventory", fallback = "lastKnown")
		public String reserve(String sku) {
			return sku;
		}

		String cachedStock(String sku, Throwable failure) {
			return sku;
		}

		String lastKnown(String sku) {
			return sku;
		}

	}

}
