package dev.retry.autoconfigure;

import java.util.List;
import java.util.function.Function;

import dev.retry.annotation.CircuitBreaker;
import dev.retry.annotation.Retryable;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Lazy;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Calls on this to an annotated method bypass the proxy: start-up finds them in the bytecode
 * (directly, in lambdas, in inner classes, as method references) and warns, fails or ignores.
 */
@ExtendWith(OutputCaptureExtension.class)
class SelfInvocationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class))
		.withBean(ManualClock.class)
		.withPropertyValues("retry.circuit-breakers.inventory.failure-threshold=5");

	@Test
	void eachCallOnThisIsReportedOnceWithTheFix(CapturedOutput output) {
		this.runner.withBean(InventoryClient.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(output).contains("InventoryClient.refreshAll() calls stock(String) on this: @Retryable does not "
					+ "apply to that call. Call it through the bean instead: inject the bean into itself lazily "
					+ "(@Autowired @Lazy InventoryClient self; then self.method(...)), or move the annotated method to "
					+ "another bean.")
				.contains("InventoryClient.refreshEach() calls stock(String) on this")
				.contains("InventoryClient.Later.run() calls stock(String) on this")
				.contains("InventoryClient.mapped() calls stock(String) on this")
				.contains("InventoryClient.guarded() calls price(String) on this: @Retryable and @CircuitBreaker do not "
						+ "apply to that call");
			assertThat(output).doesNotContain("InventoryClient.throughTheProxy()")
				.doesNotContain("InventoryClient.onAnother(");
		});
	}

	@Test
	void failStopsStartUpListingEveryCall() {
		this.runner.withBean(InventoryClient.class)
			.withPropertyValues("retry.startup.self-invocation=fail")
			.run((context) -> {
				FailureAnalysis analysis = StartupFailureTests.analyze(context);
				assertThat(analysis.getDescription()).startsWith("Calls on this bypass the proxy, so the annotations do "
						+ "not apply to them:")
					.contains("InventoryClient.refreshAll() calls stock(String) on this")
					.contains("InventoryClient.guarded() calls price(String) on this");
				assertThat(analysis.getAction()).contains("@Autowired @Lazy InventoryClient self");
			});
	}

	@Test
	void failListsTheCallsOfEveryBeanInTheApplicationNotTheFirstOnly() {
		this.runner.withBean(InventoryClient.class)
			.withBean(Stocks.class)
			.withPropertyValues("retry.startup.self-invocation=fail")
			.run((context) -> {
				FailureAnalysis analysis = StartupFailureTests.analyze(context);
				assertThat(analysis.getDescription()).contains("InventoryClient.refreshAll() calls stock(String) on this")
					.contains("InventoryClient.guarded() calls price(String) on this")
					.contains("Stocks.stock(String, boolean) calls stock(String) on this");
			});
	}

	@Test
	void aBeanCreatedAfterStartUpWithACallOnThisFailsItsOwnCreation() {
		this.runner.withBean("stocks", Stocks.class, Stocks::new, (definition) -> definition.setLazyInit(true))
			.withPropertyValues("retry.startup.self-invocation=fail")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> context.getBean("stocks")))
					.rootCause()
					.hasMessageContaining("Stocks.stock(String, boolean) calls stock(String) on this");
			});
	}

	@Test
	void anExplicitSuperCallToTheUnannotatedParentIsNotASelfInvocation() {
		this.runner.withBean(Pricing.class)
			.withPropertyValues("retry.startup.self-invocation=fail")
			.run((context) -> {
				Throwable failure = context.getStartupFailure();
				assertThat(failure).as("super.price(sku) calls BasePricing.price, which has no annotation").isNull();
			});
	}

	@Test
	void aSuperCallToAnAnnotatedParentMethodIsReported() {
		this.runner.withBean(DiscountPricing.class)
			.withPropertyValues("retry.startup.self-invocation=fail")
			.run((context) -> {
				FailureAnalysis analysis = StartupFailureTests.analyze(context);
				assertThat(analysis.getDescription()).contains("DiscountPricing.discounted() calls quote(String) on this");
			});
	}

	@Test
	void anUnannotatedOverloadCallingTheAnnotatedOneOnThisIsReported() {
		this.runner.withBean(Stocks.class)
			.withPropertyValues("retry.startup.self-invocation=fail")
			.run((context) -> {
				// stock(String, boolean) calls stock(String) on this: @Retryable does not apply to that call.
				assertThat(context.getStartupFailure()).as("self-invocation=fail must stop start-up").isNotNull();
				assertThat(StartupFailureTests.analyze(context).getDescription())
					.contains("Stocks.stock(String, boolean) calls stock(String) on this");
			});
	}

	@Test
	void recursionInTheAnnotatedMethodAndTheBridgeToItAreNotReported(CapturedOutput output) {
		this.runner.withBean(Countdown.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(output).doesNotContain("on this:");
		});
	}

	@Test
	void ignoreDoesNotLook(CapturedOutput output) {
		this.runner.withBean(InventoryClient.class)
			.withPropertyValues("retry.startup.self-invocation=ignore")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(output).doesNotContain("on this:");
			});
	}

	public static class InventoryClient {

		@Autowired
		@Lazy
		private InventoryClient self;

		@Retryable(policy = "network")
		public String stock(String sku) {
			return "12 of " + sku;
		}

		@Retryable(policy = "network")
		@CircuitBreaker(name = "inventory")
		public String price(String sku) {
			return "9.99";
		}

		public String refreshAll() {
			return stock("all");
		}

		public void refreshEach(List<String> skus) {
			skus.forEach((sku) -> stock(sku));
		}

		public Runnable later() {
			return new Later();
		}

		public List<String> mapped(List<String> skus) {
			Function<String, String> lookup = this::stock;
			return skus.stream().map(lookup).toList();
		}

		public String guarded() {
			return price("sku-1");
		}

		/** Through the self-injected proxy: the annotations apply, nothing to report. */
		public String throughTheProxy() {
			return this.self.stock("via proxy");
		}

		/** On another instance, not this: nothing to report either. */
		public String onAnother(InventoryClient other) {
			return other.stock("elsewhere");
		}

		class Later implements Runnable {

			@Override
			public void run() {
				stock("later");
			}

		}

	}

	public static class Stocks {

		@Retryable(policy = "network")
		public String stock(String sku) {
			return "stock of " + sku;
		}

		/** A convenience overload: the call on this bypasses the proxy, so it is never retried. */
		public String stock(String sku, boolean fresh) {
			return stock(fresh ? sku + "?fresh" : sku);
		}

	}

	public static class BasePricing {

		public String price(String sku) {
			return "list price of " + sku;
		}

		@Retryable(policy = "network")
		public String quote(String sku) {
			return "quote for " + sku;
		}

	}

	public static class Pricing extends BasePricing {

		@Override
		@Retryable(policy = "network")
		public String price(String sku) {
			return "live price of " + sku;
		}

		/** Deliberately the parent's (un-retried) implementation: no proxy can be involved in super calls. */
		public String listPrice(String sku) {
			return super.price(sku);
		}

	}

	public static class DiscountPricing extends BasePricing {

		/** The parent's annotated method, called on this: it is not retried. */
		public String discounted() {
			return super.quote("sku-1");
		}

	}

	/** Its recursion stays inside one attempt; {@code apply(Object)} is the compiler's bridge to it. */
	public static class Countdown implements java.util.function.Function<Integer, Integer> {

		@Override
		@Retryable(policy = "network")
		public Integer apply(Integer from) {
			return (from <= 0) ? 0 : apply(from - 1);
		}

	}

}
