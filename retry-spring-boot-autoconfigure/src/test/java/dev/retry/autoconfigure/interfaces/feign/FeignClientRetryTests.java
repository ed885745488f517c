package dev.retry.autoconfigure.interfaces.feign;

import java.lang.reflect.Proxy;
import java.time.Duration;

import dev.retry.autoconfigure.RetryAutoConfiguration;
import dev.retry.autoconfigure.ScriptedHttpServer;
import dev.retry.autoconfigure.config.MethodRegistry;
import dev.retry.autoconfigure.config.MethodRegistry.AnnotatedMethod;
import dev.retry.autoconfigure.metrics.RetryMetricsAutoConfiguration;
import dev.retry.time.ManualClock;
import feign.FeignException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.aop.support.AopUtils;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.cloud.openfeign.EnableFeignClients;
import org.springframework.cloud.openfeign.FeignAutoConfiguration;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A Spring Cloud OpenFeign client against a real HTTP server: Feign's proxy takes no advisors, so
 * the starter puts a JDK proxy of the interface around it.
 */
@ExtendWith(OutputCaptureExtension.class)
class FeignClientRetryTests {

	private static final ScriptedHttpServer server = ScriptedHttpServer.started();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(HttpMessageConvertersAutoConfiguration.class,
				FeignAutoConfiguration.class, RetryAutoConfiguration.class, RetryMetricsAutoConfiguration.class))
		.withUserConfiguration(Clients.class)
		.withBean(SimpleMeterRegistry.class)
		.withBean(ManualClock.class)
		.withPropertyValues("inventory.url=" + server.url(), "retry.policies.quick.base-delay=100ms",
				"retry.policies.quick.jitter=none");

	@AfterAll
	static void stop() {
		server.close();
	}

	@Test
	void serviceUnavailableTwiceThenAnsweredIsRetriedAndCounted(CapturedOutput output) {
		this.runner.run((context) -> {
			server.script("/stock/f1", 503, 503, 200);
			InventoryFeignClient client = context.getBean(InventoryFeignClient.class);

			assertThat(client.stock("f1")).isEqualTo("stock of /stock/f1");

			assertThat(server.requests("/stock/f1")).isEqualTo(3);
			assertThat(context.getBean(ManualClock.class).sleeps()).containsExactly(Duration.ofMillis(100),
					Duration.ofMillis(200));
			assertThat(context.getBean(MeterRegistry.class)
				.get("retry.calls")
				.tag("method", "InventoryFeignClient.stock")
				.tag("outcome", "success_after_retry")
				.counter()
				.count()).isEqualTo(1);
			assertThat(Proxy.isProxyClass(client.getClass())).isTrue();
			assertThat(AopUtils.isAopProxy(client)).as("a Spring proxy around Feign's").isTrue();
			assertThat(output).doesNotContain("no effect");
		});
	}

	@Test
	void clientErrorIsNotRetriedAndArrivesAsFeignThrewIt() {
		this.runner.run((context) -> {
			server.script("/stock/f2", 404);

			assertThatExceptionOfType(FeignException.NotFound.class)
				.isThrownBy(() -> context.getBean(InventoryFeignClient.class).stock("f2"));
			assertThat(server.requests("/stock/f2")).isEqualTo(1);
		});
	}

	@Test
	void defaultMethodFallbackAnswersWhenRetriesEnd() {
		this.runner.run((context) -> {
			server.script("/stock/f3", 503);

			assertThat(context.getBean(InventoryFeignClient.class).stockOrUnknown("f3")).isEqualTo("unknown f3");
			assertThat(server.requests("/stock/f3")).isEqualTo(3);
		});
	}

	@Test
	void aDefaultMethodsCallsOnThisPassOurInterceptors() {
		this.runner.run((context) -> {
			server.script("/stock/f4", 503, 200);
			server.script("/stock/f5", 503, 200);

			assertThat(context.getBean(InventoryFeignClient.class).stockOfBoth("f4", "f5"))
				.isEqualTo("stock of /stock/f4 & stock of /stock/f5");
			assertThat(server.requests("/stock/f4")).isEqualTo(2);
			assertThat(server.requests("/stock/f5")).isEqualTo(2);
		});
	}

	@Test
	void endpointListsTheClientsMethods() {
		this.runner.run((context) -> {
			context.getBean(InventoryFeignClient.class);

			assertThat(context.getBean(MethodRegistry.class).methods())
				.filteredOn((method) -> method.method().equals("InventoryFeignClient.stock"))
				.singleElement()
				.extracting(AnnotatedMethod::interceptors)
				.satisfies((interceptors) -> assertThat(interceptors).startsWith("retry(quick)"));
		});
	}

	@Configuration(proxyBeanMethods = false)
	@EnableFeignClients(clients = InventoryFeignClient.class)
	static class Clients {

	}

}
