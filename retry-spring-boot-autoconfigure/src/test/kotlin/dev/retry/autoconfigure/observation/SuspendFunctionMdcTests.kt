package dev.retry.autoconfigure.observation

import dev.retry.annotation.Retryable
import dev.retry.autoconfigure.RetryAutoConfiguration
import dev.retry.autoconfigure.metrics.RetryMetricsAutoConfiguration
import dev.retry.time.ManualClock
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.Test
import org.slf4j.MDC
import org.springframework.boot.autoconfigure.AutoConfigurations
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration
import org.springframework.boot.test.context.runner.ApplicationContextRunner
import java.net.ConnectException
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.atomic.AtomicInteger

/**
 * The MDC fields of a Kotlin `suspend fun`'s retries, in an application with metrics and no tracer:
 * what its code logs during attempt 2 says which attempt it is, as for every other call style.
 */
class SuspendFunctionMdcTests {

	private val runner = ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration::class.java, MetricsAutoConfiguration::class.java,
			CompositeMeterRegistryAutoConfiguration::class.java, SimpleMetricsExportAutoConfiguration::class.java,
			RetryAutoConfiguration::class.java, RetryMetricsAutoConfiguration::class.java,
			RetryObservationAutoConfiguration::class.java))
		.withBean(ManualClock::class.java)
		.withBean(Inventory::class.java)

	@Test
	fun `each retry of a suspend function has its MDC fields`() {
		runner.run { context ->
			val inventory = context.getBean(Inventory::class.java)

			assertThat(runBlocking { inventory.stock() }).isEqualTo("ok")

			assertThat(inventory.mdcSeen()).containsExactly(mapOf(),
				mapOf("retry.method" to "Inventory.stock", "retry.policy" to "network", "retry.attempt" to "2"))
			assertThat(MDC.get("retry.method")).isNull()
		}
	}

	@Test
	fun `a retry of a suspend function keeps its MDC fields after it resumes on another thread`() {
		runner.run { context ->
			val inventory = context.getBean(Inventory::class.java)

			assertThat(runBlocking { inventory.stockAfterHop() }).isEqualTo("ok")

			val attempt2 = mapOf("retry.method" to "Inventory.stockAfterHop", "retry.policy" to "network",
				"retry.attempt" to "2")
			// Each attempt before its hop, on an IO thread, and back after it.
			assertThat(inventory.mdcSeen()).containsExactly(mapOf(), mapOf(), mapOf(), attempt2, attempt2, attempt2)
			assertThat(inventory.threadsSeen()[4]).startsWith("DefaultDispatcher-worker")
			assertThat(MDC.get("retry.method")).isNull()
		}
	}

	@Test
	fun `a suspend function that answers at once has no MDC fields`() {
		runner.run { context ->
			val inventory = context.getBean(Inventory::class.java)
			inventory.answersAtOnce()

			assertThat(runBlocking { inventory.stock() }).isEqualTo("ok")

			assertThat(inventory.mdcSeen()).containsExactly(mapOf())
		}
	}

	open class Inventory {

		private val seen = CopyOnWriteArrayList<Map<String, String>>()

		private val calls = AtomicInteger()

		private val threads = CopyOnWriteArrayList<String>()

		open fun mdcSeen(): List<Map<String, String>> = seen

		open fun threadsSeen(): List<String> = threads

		open fun answersAtOnce() {
			calls.set(1)
		}

		/** As [stock], resuming on an IO thread before it answers. */
		@Retryable(policy = "network")
		open suspend fun stockAfterHop(): String {
			note()
			withContext(Dispatchers.IO) {
				note()
			}
			note()
			if (calls.incrementAndGet() == 1) {
				throw ConnectException("refused")
			}
			return "ok"
		}

		private fun note() {
			threads.add(Thread.currentThread().name)
			seen.add(listOf("retry.method", "retry.policy", "retry.attempt")
				.mapNotNull { key -> MDC.get(key)?.let { key to it } }.toMap())
		}

		/** Fails its first call once with a refused connection. */
		@Retryable(policy = "network")
		open suspend fun stock(): String {
			seen.add(listOf("retry.method", "retry.policy", "retry.attempt")
				.mapNotNull { key -> MDC.get(key)?.let { key to it } }.toMap())
			if (calls.incrementAndGet() == 1) {
				throw ConnectException("refused")
			}
			return "ok"
		}

	}

}
