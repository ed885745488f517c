package dev.retry.autoconfigure

import dev.retry.annotation.Retryable
import dev.retry.autoconfigure.metrics.RetryMetricsAutoConfiguration
import dev.retry.time.Scheduler
import dev.retry.time.Sleeper
import io.micrometer.core.instrument.MeterRegistry
import io.micrometer.core.instrument.simple.SimpleMeterRegistry
import kotlinx.coroutines.runBlocking
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Test
import org.springframework.boot.autoconfigure.AutoConfigurations
import org.springframework.boot.test.context.runner.ApplicationContextRunner
import org.springframework.http.client.reactive.ReactorClientHttpConnector
import org.springframework.web.bind.annotation.PathVariable
import org.springframework.web.reactive.function.client.WebClient
import org.springframework.web.reactive.function.client.support.WebClientAdapter
import org.springframework.web.service.annotation.GetExchange
import org.springframework.web.service.annotation.HttpExchange
import org.springframework.web.service.invoker.HttpServiceProxyFactory
import java.time.Duration
import java.util.concurrent.CompletableFuture
import java.util.concurrent.CopyOnWriteArrayList
import java.util.function.Supplier

/**
 * A `suspend fun` of an HTTP service client on WebClient (Reactor Netty), annotated on the
 * interface: Spring's proxy hands the chain a Mono for it, which is retried by resubscription,
 * with no thread sleeping between attempts.
 */
class SuspendHttpServiceClientTests {

	companion object {

		private val server = ScriptedHttpServer.started()

		@JvmStatic
		@AfterAll
		fun stop() = server.close()

	}

	@HttpExchange("/stock")
	interface SuspendInventoryApi {

		@Retryable(policy = "network")
		@GetExchange("/{sku}")
		suspend fun stock(@PathVariable sku: String): String

	}

	private val waits = CopyOnWriteArrayList<Duration>()

	private val runner = ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RetryAutoConfiguration::class.java, RetryMetricsAutoConfiguration::class.java))
		.withBean(SimpleMeterRegistry::class.java)
		.withBean(Sleeper::class.java, Supplier { Sleeper { throw AssertionError("a coroutine must not sleep a thread") } })
		.withBean(Scheduler::class.java, Supplier {
			Scheduler { task, delay ->
				waits.add(Duration.ofNanos(delay))
				task.run()
				CompletableFuture.completedFuture(null)
			}
		})
		.withBean(SuspendInventoryApi::class.java, Supplier {
			val webClient = WebClient.builder().baseUrl(server.url()).clientConnector(ReactorClientHttpConnector()).build()
			HttpServiceProxyFactory.builderFor(WebClientAdapter.create(webClient)).build()
				.createClient(SuspendInventoryApi::class.java)
		})
		.withPropertyValues("retry.policies.network.jitter=none")

	@Test
	fun `a suspend function of an HTTP service client is retried without sleeping a thread`() {
		server.script("/stock/K-1", 503, 503, 200)
		runner.run { context ->
			val api = context.getBean(SuspendInventoryApi::class.java)

			val answer = runBlocking { api.stock("K-1") }

			assertThat(answer).isEqualTo("stock of /stock/K-1")
			assertThat(server.requests("/stock/K-1")).isEqualTo(3)
			assertThat(waits).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2))
			assertThat(context.getBean(MeterRegistry::class.java).get("retry.calls")
				.tag("method", "SuspendInventoryApi.stock").tag("outcome", "success_after_retry").counter().count())
				.isEqualTo(1.0)
		}
	}

}
