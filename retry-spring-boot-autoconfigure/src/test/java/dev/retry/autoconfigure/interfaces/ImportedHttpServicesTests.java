package dev.retry.autoconfigure.interfaces;

import java.time.Duration;

import dev.retry.autoconfigure.RetryAutoConfiguration;
import dev.retry.autoconfigure.ScriptedHttpServer;
import dev.retry.autoconfigure.metrics.RetryMetricsAutoConfiguration;
import dev.retry.time.ManualClock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.service.HttpServiceClientPropertiesAutoConfiguration;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.service.HttpServiceClientAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.service.registry.ImportHttpServices;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HTTP service clients registered by Spring Boot from {@code @ImportHttpServices}, configured by
 * {@code spring.http.serviceclient.<group>.*}: the annotations on their interface apply.
 */
class ImportedHttpServicesTests {

	private static final ScriptedHttpServer server = ScriptedHttpServer.started();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(HttpClientAutoConfiguration.class,
				ImperativeHttpClientAutoConfiguration.class, HttpServiceClientPropertiesAutoConfiguration.class,
				HttpMessageConvertersAutoConfiguration.class, RestClientAutoConfiguration.class,
				HttpServiceClientAutoConfiguration.class, RetryAutoConfiguration.class,
				RetryMetricsAutoConfiguration.class))
		.withUserConfiguration(Clients.class)
		.withBean(SimpleMeterRegistry.class)
		.withBean(ManualClock.class)
		.withPropertyValues("spring.http.serviceclient.inventory.base-url=" + server.url(),
				"spring.http.clients.imperative.factory=jdk", "retry.policies.quick.base-delay=100ms",
				"retry.policies.quick.jitter=none", "retry.circuit-breakers.inventory.failure-threshold=5");

	@AfterAll
	static void stop() {
		server.close();
	}

	@Test
	void importedClientIsRetriedUnderItsInterfacesAnnotations() {
		this.runner.run((context) -> {
			server.script("/stock/i1", 503, 503, 200);

			assertThat(context.getBean(InventoryApi.class).stock("i1")).isEqualTo("stock of /stock/i1");

			assertThat(server.requests("/stock/i1")).isEqualTo(3);
			assertThat(context.getBean(ManualClock.class).sleeps()).containsExactly(Duration.ofMillis(100),
					Duration.ofMillis(200));
			assertThat(context.getBean(MeterRegistry.class)
				.get("retry.calls")
				.tag("method", "InventoryApi.stock")
				.tag("outcome", "success_after_retry")
				.counter()
				.count()).isEqualTo(1);
		});
	}

	@Configuration(proxyBeanMethods = false)
	@ImportHttpServices(group = "inventory", types = InventoryApi.class)
	static class Clients {

	}

}
