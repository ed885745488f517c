package dev.retry.autoconfigure.actuate;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * WebFlux reads an endpoint's body as a map of strings, as Spring MVC does, and WebFlux has no
 * {@code RequestBodyAdvice}: this filter {@link NestedBody flattens} the JSON body of a
 * {@code POST} to {@code /retries/{name}} or {@code /circuitbreakers/{name}} (under the actuator's
 * base path, at the paths the endpoints are mapped to) before WebFlux reads it. Every other
 * request passes untouched, its body unread. It runs last, after any security filter has let the
 * request through.
 */
final class NestedBodyWebFilter implements WebFilter, Ordered {

	/** Far above any configuration change: a larger body is refused (413) before it is held whole. */
	static final int MAX_BODY_BYTES = 256 * 1024;

	private static final byte[] EMPTY = new byte[0];

	private final ObjectProvider<PathMappedEndpoints> endpoints;

	/** The paths of our endpoints, each ending with '/', once the endpoints are mapped. */
	private volatile @Nullable List<String> paths;

	NestedBodyWebFilter(ObjectProvider<PathMappedEndpoints> endpoints) {
		this.endpoints = endpoints;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		ServerHttpRequest request = exchange.getRequest();
		if (!HttpMethod.POST.equals(request.getMethod()) || !isJson(request.getHeaders().getContentType())
				|| !isOurEndpoint(request.getPath().pathWithinApplication().value())) {
			return chain.filter(exchange);
		}
		DataBufferFactory buffers = exchange.getResponse().bufferFactory();
		return DataBufferUtils.join(request.getBody(), MAX_BODY_BYTES)
			.map(NestedBodyWebFilter::bytes)
			.defaultIfEmpty(EMPTY)
			.onErrorMap(DataBufferLimitException.class,
					(ex) -> new ResponseStatusException(HttpStatus.CONTENT_TOO_LARGE,
							"A body of more than " + MAX_BODY_BYTES + " bytes is no configuration change", ex))
			.flatMap((read) -> chain.filter(exchange.mutate().request(withBody(request, read, buffers)).build()));
	}

	private static boolean isJson(@Nullable MediaType type) {
		return type != null && ("json".equals(type.getSubtype()) || "json".equals(type.getSubtypeSuffix()));
	}

	/** Whether the path is {@code <our endpoint's path>/<one name>}. */
	private boolean isOurEndpoint(String path) {
		for (String endpoint : paths()) {
			if (path.length() > endpoint.length() && path.startsWith(endpoint)
					&& path.indexOf('/', endpoint.length()) < 0) {
				return true;
			}
		}
		return false;
	}

	private List<String> paths() {
		List<String> paths = this.paths;
		if (paths == null) {
			PathMappedEndpoints mapped = this.endpoints.getIfAvailable();
			if (mapped == null) {
				return List.of();
			}
			paths = new ArrayList<>();
			for (String id : WholeBody.ENDPOINTS) {
				String path = mapped.getPath(EndpointId.of(id));
				if (path != null) {
					paths.add(path.endsWith("/") ? path : path + "/");
				}
			}
			paths = List.copyOf(paths);
			this.paths = paths;
		}
		return paths;
	}

	private static byte[] bytes(DataBuffer joined) {
		try {
			byte[] read = new byte[joined.readableByteCount()];
			joined.read(read);
			return read;
		}
		finally {
			DataBufferUtils.release(joined);
		}
	}

	/** The request with the body flattened, or as it was read when it needs nothing. */
	private static ServerHttpRequest withBody(ServerHttpRequest request, byte[] read, DataBufferFactory buffers) {
		byte[] flattened = (read.length > 0) ? NestedBody.flattened(new String(read, StandardCharsets.UTF_8)) : null;
		byte[] body = (flattened != null) ? flattened : read;
		HttpHeaders headers = HttpHeaders.copyOf(request.getHeaders());
		headers.remove(HttpHeaders.TRANSFER_ENCODING);
		headers.setContentLength(body.length);
		return new ServerHttpRequestDecorator(request) {

			@Override
			public HttpHeaders getHeaders() {
				return headers;
			}

			@Override
			public Flux<DataBuffer> getBody() {
				return Flux.defer(() -> Flux.just(buffers.wrap(body)));
			}

		};
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
