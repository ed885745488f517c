package dev.retry.autoconfigure.web;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.stream.Stream;

import dev.retry.annotation.Retryable;
import dev.retry.autoconfigure.RetryAutoConfiguration;
import dev.retry.autoconfigure.metrics.RetryMetricsAutoConfiguration;
import dev.retry.time.ManualClock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.http.client.HttpComponentsClientHttpRequestFactory;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The clients users pick, against a real server that refuses, answers 503 or 400, never answers,
 * cuts the body off, or closes without answering: what is transient is retried (three requests
 * reach the server), what is permanent is not (one request).
 */
class RealHttpClientsTests {

	private static final FaultyHttpServer server = FaultyHttpServer.started();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class, RetryMetricsAutoConfiguration.class))
		.withBean(SimpleMeterRegistry.class)
		.withBean(ManualClock.class)
		.withBean(Downstream.class);

	@AfterAll
	static void stop() throws IOException {
		server.close();
	}

	static Stream<Arguments> cases() {
		return Stream.of("jdk", "apache", "webclient")
			.flatMap((client) -> Stream.of(Arguments.of(client, "unavailable", 3), Arguments.of(client, "silent", 3),
					Arguments.of(client, "cut", 3), Arguments.of(client, "close", 3), Arguments.of(client, "bad", 1),
					Arguments.of(client, "refused", 3)));
	}

	@ParameterizedTest(name = "{0}, {1}: {2} attempt(s)")
	@MethodSource("cases")
	void transientFailuresAreRetriedAndPermanentOnesAreNot(String client, String scenario, int attempts) {
		this.runner.run((context) -> {
			Downstream downstream = context.getBean(Downstream.class);
			String path = "/" + scenario + "/" + client;
			String url = scenario.equals("refused") ? "http://127.0.0.1:" + closedPort() + path : server.url(path);

			Throwable thrown = catchThrowable(() -> {
				switch (client) {
					case "jdk" -> downstream.jdk(url);
					case "apache" -> downstream.apache(url);
					default -> downstream.webclient(url).block(Duration.ofSeconds(10));
				}
			});

			assertThat(thrown).as("the call fails in the end").isNotNull();
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			String method = "Downstream." + client;
			double failedAttempts = meters.get("retry.attempts").tag("method", method).tag("result", "failure")
				.counter().count();
			assertThat(failedAttempts).as("attempts made, after %s", thrown).isEqualTo(attempts);
			if (!scenario.equals("refused")) {
				// The JDK client itself sends a GET again, once, when the connection closes unanswered.
				int perAttempt = (client.equals("jdk") && scenario.equals("close")) ? 2 : 1;
				assertThat(server.requests(path)).as("requests the server saw").isEqualTo(attempts * perAttempt);
			}
			String outcome = (attempts > 1) ? "exhausted" : "not_retryable";
			assertThat(meters.get("retry.calls").tag("method", method).tag("outcome", outcome).counter().count())
				.isEqualTo(1);
		});
	}

	private static int closedPort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	/** One method per client, each retried under the network policy; read timeouts of 300 ms. */
	public static class Downstream {

		private final RestClient jdk;

		private final RestClient apache;

		private final WebClient webClient;

		public Downstream() {
			JdkClientHttpRequestFactory jdkFactory = new JdkClientHttpRequestFactory(
					HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build());
			jdkFactory.setReadTimeout(Duration.ofMillis(300));
			this.jdk = RestClient.builder().requestFactory(jdkFactory).build();
			this.apache = RestClient.builder()
				.requestFactory(new HttpComponentsClientHttpRequestFactory(HttpClients.custom()
					.disableAutomaticRetries()
					.setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.ofMilliseconds(300)).build())
					.build()))
				.build();
			this.webClient = WebClient.builder()
				.clientConnector(new ReactorClientHttpConnector(reactor.netty.http.client.HttpClient.create()
					.responseTimeout(Duration.ofMillis(300))
					.disableRetry(true)))
				.build();
		}

		@Retryable(policy = "network")
		public String jdk(String url) {
			return this.jdk.get().uri(url).retrieve().body(String.class);
		}

		@Retryable(policy = "network")
		public String apache(String url) {
			return this.apache.get().uri(url).retrieve().body(String.class);
		}

		@Retryable(policy = "network")
		public Mono<String> webclient(String url) {
			return this.webClient.get().uri(url).retrieve().bodyToMono(String.class);
		}

	}

}
