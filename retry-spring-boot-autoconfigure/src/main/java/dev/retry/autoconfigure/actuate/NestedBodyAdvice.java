package dev.retry.autoconfigure.actuate;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.http.HttpServletRequest;

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
 * endpoint: for writes to our endpoints only, the body is {@link NestedBody flattened} first.
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
		byte[] body = NestedBody.flattened(new String(read, StandardCharsets.UTF_8));
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

}
