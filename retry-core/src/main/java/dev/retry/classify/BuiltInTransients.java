package dev.retry.classify;

import java.net.SocketException;
import java.util.Set;

/**
 * The failures known to be transient without any configuration: refused, reset or unroutable
 * connections, unknown hosts, socket and client timeouts, connections closed before the response
 * or its body completed (Reactor Netty, Apache HttpClient 5, a stream ending before its declared
 * length), and the transient data-access and
 * HTTP-client exceptions of Spring and JDBC. Classes are matched by name along the superclass
 * chain, so none of those libraries needs to be present; the answer is cached per class.
 */
final class BuiltInTransients {

	private static final Set<String> TRANSIENT_TYPES = Set.of(
			"java.net.ConnectException",
			"java.net.NoRouteToHostException",
			"java.net.UnknownHostException",
			"java.net.SocketTimeoutException",
			"java.net.http.HttpTimeoutException",
			"java.util.concurrent.TimeoutException",
			// A connection closed before the response or its body was complete.
			"java.io.EOFException",
			"reactor.netty.http.client.PrematureCloseException",
			"org.apache.hc.core5.http.ConnectionClosedException",
			"org.apache.hc.core5.http.NoHttpResponseException",
			"java.sql.SQLTransientException",
			"java.sql.SQLRecoverableException",
			"org.springframework.web.client.ResourceAccessException",
			"org.springframework.web.reactive.function.client.WebClientRequestException",
			"org.springframework.dao.TransientDataAccessException",
			"org.springframework.dao.RecoverableDataAccessException");

	private static final ClassValue<Boolean> BY_TYPE = new ClassValue<>() {
		@Override
		protected Boolean computeValue(Class<?> type) {
			for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
				if (TRANSIENT_TYPES.contains(c.getName())) {
					return true;
				}
			}
			return false;
		}
	};

	private BuiltInTransients() {
	}

	static boolean isTransient(Throwable failure) {
		if (BY_TYPE.get(failure.getClass())) {
			return true;
		}
		return failure instanceof SocketException && isConnectionReset(failure.getMessage());
	}

	private static boolean isConnectionReset(String message) {
		return message != null && (message.contains("Connection reset") || message.contains("Broken pipe"));
	}

}
