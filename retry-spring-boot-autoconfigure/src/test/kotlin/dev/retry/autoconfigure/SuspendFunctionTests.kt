package dev.retry.autoconfigure

import dev.retry.CircuitBreakerOpenException
import dev.retry.annotation.CircuitBreaker
import dev.retry.annotation.Retryable
import dev.retry.autoconfigure.config.CircuitBreakerRegistry
import dev.retry.autoconfigure.metrics.RetryMetricsAutoConfiguration
import dev.retry.execution.RetryContext
import dev.retry.time.Scheduler
import dev.retry.time.Sleeper
import io.micrometer.core.instrument.MeterRegistry
import io.micrometer.core.instrument.simple.SimpleMeterRegistry
import kotlinx.coroutines.future.await
import kotlinx.coroutines.reactor.ReactorContext
import kotlinx.coroutines.runBlocking
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Test
import org.springframework.boot.autoconfigure.AutoConfigurations
import org.springframework.boot.test.context.runner.ApplicationContextRunner
import java.net.ConnectException
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.time.Duration
import java.util.concurrent.CompletableFuture
import java.util.concurrent.CopyOnWriteArrayList
import java.util.function.Supplier
import kotlin.coroutines.coroutineContext

/**
 * Kotlin `suspend fun` under @Retryable and @CircuitBreaker, against a real HTTP server: retried on
 * the reactive path (Spring's proxy runs a suspend function as a Mono), so no thread sleeps between
 * attempts; same policies, meters and fallbacks (suspend fallbacks too), and the RetryContext is
 * reachable from the coroutine.
 */
class SuspendFunctionTests {

	companion object {

		private val server = ScriptedHttpServer.started()

		@JvmStatic
		@AfterAll
		fun stop() = server.close()

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
		.withBean(StockClient::class.java, Supplier { StockClient(server.url()) })
		.withPropertyValues("retry.policies.network.jitter=none", "retry.circuit-breakers.stock.failure-threshold=2")

	@Test
	fun `a suspend function is retried without sleeping a thread and sees its attempt`() {
		server.script("/stock/A-1", 503, 503, 200)
		runner.run { context ->
			val client = context.getBean(StockClient::class.java)

			val answer = runBlocking { client.stock("A-1") }

			assertThat(answer).isEqualTo("stock of /stock/A-1 on attempt 3")
			assertThat(server.requests("/stock/A-1")).isEqualTo(3)
			assertThat(waits).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2))
			val meters = context.getBean(MeterRegistry::class.java)
			assertThat(meters.get("retry.calls").tag("method", "StockClient.stock").tag("outcome", "success_after_retry")
				.counter().count()).isEqualTo(1.0)
		}
	}

	@Test
	fun `a suspend fallback answers when the retries run out`() {
		server.script("/stock/B-2", 503)
		runner.run { context ->
			val client = context.getBean(StockClient::class.java)

			val answer = runBlocking { client.withFallback("B-2") }

			assertThat(answer).isEqualTo("cached B-2 after ConnectException")
			assertThat(server.requests("/stock/B-2")).isEqualTo(3)
		}
	}

	@Test
	fun `a suspend function passes its circuit breaker, which opens and rejects`() {
		server.script("/stock/C-3", 503)
		runner.run { context ->
			val client = context.getBean(StockClient::class.java)

			repeat(2) { runCatching { runBlocking { client.guarded("C-3") } } }
			val rejected = runCatching { runBlocking { client.guarded("C-3") } }.exceptionOrNull()

			assertThat(rejected).isInstanceOf(CircuitBreakerOpenException::class.java)
			assertThat(server.requests("/stock/C-3")).isEqualTo(2)
			assertThat(context.getBean(CircuitBreakerRegistry::class.java).find("stock")!!.failureCount).isEqualTo(2)
		}
	}

	@Test
	fun `a suspend function whose answer means not yet is asked again`() {
		server.script("/job/D-4", 202, 202, 200)
		runner.run { context ->
			val client = context.getBean(StockClient::class.java)

			val answer = runBlocking { client.job("D-4") }

			assertThat(answer).isEqualTo("200 stock of /job/D-4")
			assertThat(server.requests("/job/D-4")).isEqualTo(3)
		}
	}

	class StillRunning : java.util.function.Predicate<String> {

		override fun test(answer: String) = answer.startsWith("202 ")

	}

	open class StockClient(private val url: String) {

		@Retryable(policy = "network", retryOnResult = StillRunning::class)
		open suspend fun job(id: String): String {
			val response = http.sendAsync(HttpRequest.newBuilder(URI.create("$url/job/$id")).build(),
				HttpResponse.BodyHandlers.ofString()).await()
			return "${response.statusCode()} ${response.body()}"
		}


		private val http = HttpClient.newHttpClient()

		// tag::suspend[]
		@Retryable(policy = "network")
		open suspend fun stock(sku: String): String {
			val attempt = coroutineContext[ReactorContext]!!.context.get(RetryContext::class.java).attempt
			return get("/stock/$sku") + " on attempt $attempt"
		}

		@Retryable(policy = "network", fallback = "cached")
		open suspend fun withFallback(sku: String): String = get("/stock/$sku")

		open suspend fun cached(sku: String, failure: Throwable): String = "cached $sku after ${failure.javaClass.simpleName}"
		// end::suspend[]

		@CircuitBreaker(name = "stock")
		open suspend fun guarded(sku: String): String = get("/stock/$sku")

		private suspend fun get(path: String): String {
			val response = http.sendAsync(HttpRequest.newBuilder(URI.create(url + path)).build(),
				HttpResponse.BodyHandlers.ofString()).await()
			if (response.statusCode() == 503) {
				throw ConnectException("503 from $path")
			}
			return response.body()
		}

	}

}
