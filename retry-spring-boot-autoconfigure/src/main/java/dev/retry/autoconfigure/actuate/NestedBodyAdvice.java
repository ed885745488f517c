package dev.retry.autoconfigure.actuate;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.json.JsonParserFactory;
import org.springframework.boot.json.JsonWriter;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.util.StreamUtils;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import org.springframework.web.servlet.mvc.method.annotation.RequestBodyAdviceAdapter;

/**
 * Spring MVC reads an endpoint's body as a map of strings, so a nested object (the
 * {@code configuration} of a breaker) or a list would be refused before reaching the
 * endpoint. For writes to our endpoints only, nested objects become dotted keys
 * ({@code configuration.open-duration}) and lists comma-separated text, as in a properties file.
 * A body that is not a JSON object is left alone, for Spring MVC to refuse.
 */
@ControllerAdvice
final class NestedBodyAdvice extends RequestBodyAdviceAdapter {

	@Override
	public boolean supports(MethodParameter parameter, Type targetType,
			Class<? extends HttpMessageConverter<?>> converterType) {
		return parameter.getDeclaringClass().getName().startsWith("org.springframework.boot.webmvc.actuate.endpoint.")
				&& ourEndpoint();
	}

	@Override
	public HttpInputMessage beforeBodyRead(HttpInputMessage message, MethodParameter parameter, Type targetType,
			Class<? extends HttpMessageConverter<?>> converterType) throws IOException {
		byte[] read = StreamUtils.copyToByteArray(message.getBody());
		byte[] body = flattened(new String(read, StandardCharsets.UTF_8));
		byte[] given = (body != null) ? body : read;
		return new HttpInputMessage() {
			@Override
			public InputStream getBody() {
				return new ByteArrayInputStream(given);
			}

			@Override
			public HttpHeaders getHeaders() {
				return message.getHeaders();
			}
		};
	}

	private static boolean ourEndpoint() {
		if (!(RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes)) {
			return false;
		}
		HttpServletRequest request = attributes.getRequest();
		String[] segments = request.getRequestURI().split("/");
		return segments.length >= 2 && WholeBody.ENDPOINTS.contains(segments[segments.length - 2]);
	}

	/** The body with nested values flattened, or {@code null} when it needs nothing (or is no JSON object). */
	static byte @Nullable [] flattened(String json) {
		Map<String, Object> parsed;
		try {
			parsed = JsonParserFactory.getJsonParser().parseMap(json);
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
		if (parsed.values().stream().noneMatch((value) -> value instanceof Map || value instanceof List)) {
			return null;
		}
		Map<String, @Nullable Object> flat = new LinkedHashMap<>();
		flatten("", parsed, flat);
		return JsonWriter.<Map<String, @Nullable Object>>standard().writeToString(flat).getBytes(StandardCharsets.UTF_8);
	}

	private static void flatten(String prefix, Map<?, ?> values, Map<String, @Nullable Object> flat) {
		values.forEach((key, value) -> {
			String name = prefix + key;
			if (value instanceof Map<?, ?> nested) {
				flatten(name + ".", nested, flat);
			}
			else if (value instanceof List<?> list) {
				flat.put(name, String.join(",", list.stream().map(String::valueOf).toList()));
			}
			else {
				flat.put(name, (value != null) ? String.valueOf(value) : null);
			}
		});
	}

}
