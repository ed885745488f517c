package dev.retry.classify;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.sql.SQLTransientException;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import dev.retry.policy.RetryPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class FailureClassifierTest {

	private static final HttpStatusResolver STATUS = (t) -> (t instanceof HttpFailure http) ? http.status : -1;

	private final FailureClassifier defaults = new FailureClassifier(RetryPolicy.builder("default").build(), STATUS);

	static Stream<Arguments> builtInTable() {
		return Stream.of(
				Arguments.of(new ConnectException("Connection refused"), true),
				Arguments.of(new SocketException("Connection reset"), true),
				Arguments.of(new SocketException("Connection reset by peer"), true),
				Arguments.of(new SocketException("Socket closed"), false),
				Arguments.of(new NoRouteToHostException("no route"), true),
				Arguments.of(new UnknownHostException("nowhere.invalid"), true),
				Arguments.of(new SocketTimeoutException("Read timed out"), true),
				Arguments.of(new HttpTimeoutException("request timed out"), true),
				Arguments.of(new HttpConnectTimeoutException("connect timed out"), true),
				Arguments.of(new TimeoutException(), true),
				Arguments.of(new SQLTransientException("deadlock"), true),
				Arguments.of(new SQLTransientConnectionException("pool"), true),
				Arguments.of(new SQLRecoverableException("reconnect"), true),
				Arguments.of(new IOException("disk"), false),
				Arguments.of(new IllegalArgumentException("validation"), false),
				Arguments.of(new SecurityException("auth"), false),
				Arguments.of(new IllegalStateException("wrapped", new ConnectException("refused")), true),
				Arguments.of(new UncheckedIOException(new IOException("deep", new SocketTimeoutException())), true),
				Arguments.of(new OutOfMemoryError(), false),
				Arguments.of(new AssertionError(new ConnectException()), false));
	}

	@ParameterizedTest(name = "{0} -> {1}")
	@MethodSource("builtInTable")
	void builtInClassification(Throwable failure, boolean retryable) {
		assertThat(this.defaults.isRetryable(failure)).isEqualTo(retryable);
	}

	@Test
	void aBodyCutOffAfterA200IsJudgedByWhatCutItNotByTheStatus() {
		HttpFailure cutBody = new HttpFailure(200, new java.io.IOException("fixed content-length: 1000, bytes received: 512",
				new java.io.EOFException("EOF reached while reading")));

		assertThat(this.defaults.isRetryable(cutBody)).isTrue();
		assertThat(this.defaults.isRetryable(new HttpFailure(200, new IllegalArgumentException("bad json"))))
			.as("a 2xx wrapper of a permanent failure stays permanent").isFalse();
		assertThat(this.defaults.isRetryable(new HttpFailure(404, new java.io.EOFException())))
			.as("a non-2xx status still decides").isFalse();
	}

	@Test
	void causeChainsThatLoopOrRunDeepEndTheWalk() {
		RuntimeException a = new RuntimeException("a");
		RuntimeException b = new RuntimeException("b", a);
		a.initCause(b);
		Throwable deep = new java.net.ConnectException("refused");
		for (int i = 0; i < 40; i++) {
			deep = new RuntimeException("level " + i, deep);
		}

		assertThat(this.defaults.isRetryable(a)).isFalse();
		assertThat(this.defaults.isRetryable(deep)).as("beyond the depth the walk reads").isFalse();
	}

	@ParameterizedTest
	@ValueSource(ints = { 408, 429, 500, 502, 503, 504 })
	void retriesTheTransientHttpStatuses(int status) {
		assertThat(this.defaults.isRetryable(new HttpFailure(status))).isTrue();
	}

	@ParameterizedTest
	@ValueSource(ints = { 400, 401, 403, 404, 409, 422, 501 })
	void doesNotRetryOtherHttpStatuses(int status) {
		assertThat(this.defaults.isRetryable(new HttpFailure(status))).isFalse();
	}

	@Test
	void firstHttpResponseAlongTheCauseChainDecides() {
		Throwable badRequestAroundTimeout = new HttpFailure(400, new SocketTimeoutException());

		assertThat(this.defaults.isRetryable(new RuntimeException(new HttpFailure(503)))).isTrue();
		assertThat(this.defaults.isRetryable(badRequestAroundTimeout)).isFalse();
		assertThat(this.defaults.statusOf(new RuntimeException(new HttpFailure(429)))).isEqualTo(429);
	}

	@Test
	void retryOnStatusIsConfigurable() {
		FailureClassifier classifier = new FailureClassifier(
				RetryPolicy.builder("p").retryOnStatus(List.of(409)).build(), STATUS);

		assertThat(classifier.isRetryable(new HttpFailure(409))).isTrue();
		assertThat(classifier.isRetryable(new HttpFailure(503))).isFalse();
	}

	@Test
	void noRetryOnWinsOverEverythingAnywhereInTheChain() {
		FailureClassifier classifier = new FailureClassifier(RetryPolicy.builder("p")
			.retryOn(List.of(IllegalStateException.class))
			.noRetryOn(List.of(ConnectException.class))
			.build(), STATUS);

		assertThat(classifier.isRetryable(new ConnectException())).isFalse();
		assertThat(classifier.isRetryable(new IllegalStateException(new ConnectException()))).isFalse();
		assertThat(classifier.isRetryable(new DeclaredTransient(new ConnectException()))).isFalse();
		assertThat(classifier.isRetryable(new IllegalStateException("plain"))).isTrue();
	}

	@Test
	void configuredRetryOnReplacesTheBuiltInClassification() {
		FailureClassifier classifier = new FailureClassifier(
				RetryPolicy.builder("p").retryOn(List.of(IllegalStateException.class)).build(), STATUS);

		assertThat(classifier.isRetryable(new IllegalStateException())).isTrue();
		assertThat(classifier.isRetryable(new RuntimeException(new IllegalStateException()))).isTrue();
		assertThat(classifier.isRetryable(new ConnectException())).isFalse();
		assertThat(classifier.isRetryable(new HttpFailure(503))).isFalse();
	}

	@Test
	void methodLevelRetryOnAddsToTheBuiltInClassification() {
		FailureClassifier classifier = new FailureClassifier(RetryPolicy.builder("p").build(),
				List.of(IllegalStateException.class), List.of(SocketTimeoutException.class), STATUS);

		assertThat(classifier.isRetryable(new IllegalStateException())).isTrue();
		assertThat(classifier.isRetryable(new ConnectException())).isTrue();
		assertThat(classifier.isRetryable(new SocketTimeoutException())).isFalse();
	}

	@Test
	void exceptionsDeclareTheirOwnRetryability() {
		assertThat(this.defaults.isRetryable(new DeclaredTransient(null))).isTrue();
		assertThat(this.defaults.isRetryable(new RuntimeException(new DeclaredTransient(null)))).isTrue();
		assertThat(this.defaults.isRetryable(new DeclaredPermanent(new ConnectException()))).isFalse();
	}

	@Test
	void survivesCyclicCauseChains() {
		CyclicException a = new CyclicException();
		CyclicException b = new CyclicException();
		a.other = b;
		b.other = a;

		assertThat(this.defaults.isRetryable(a)).isFalse();
	}

	static final class HttpFailure extends RuntimeException {

		final int status;

		HttpFailure(int status) {
			this(status, null);
		}

		HttpFailure(int status, Throwable cause) {
			super("HTTP " + status, cause);
			this.status = status;
		}

	}

	static final class DeclaredTransient extends RuntimeException implements Retryability {

		DeclaredTransient(Throwable cause) {
			super("quota", cause);
		}

		@Override
		public boolean isTransient() {
			return true;
		}

	}

	static final class DeclaredPermanent extends RuntimeException implements Retryability {

		DeclaredPermanent(Throwable cause) {
			super("card declined", cause);
		}

		@Override
		public boolean isTransient() {
			return false;
		}

	}

	static final class CyclicException extends RuntimeException {

		CyclicException other;

		@Override
		public synchronized Throwable getCause() {
			return this.other;
		}

	}

}
