package dev.retry.autoconfigure.actuate;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import dev.retry.autoconfigure.diagnostics.RetryConfigurationException;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.InvocationContext;
import org.springframework.boot.actuate.endpoint.OperationType;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.invoke.OperationInvoker;
import org.springframework.boot.actuate.endpoint.invoke.OperationParameters;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/**
 * The body of a write to {@code /actuator/retries/{name}} or {@code /actuator/circuitbreakers/{name}},
 * whole. Actuator binds a JSON body to operation parameters by name, and a policy key such as
 * {@code max-attempts} is no Java parameter name: the operation takes a {@code body} parameter,
 * and {@link #advise} hands it every field of the body. Values arrive as text, in the forms YAML
 * takes, and are bound as at start-up.
 */
final class WholeBody {

	static final Set<String> ENDPOINTS = Set.of("retries", "circuitbreakers");

	private static final String BODY = "body";

	private static final String SELECTOR = "name";

	private WholeBody() {
	}

	/** Wraps the write operations of our endpoints so that their {@code body} parameter gets every field. */
	static OperationInvoker advise(EndpointId endpointId, OperationType operationType, OperationParameters parameters,
			OperationInvoker invoker) {
		if (operationType != OperationType.WRITE || !ENDPOINTS.contains(endpointId.toString())
				|| parameters.stream().noneMatch((parameter) -> BODY.equals(parameter.getName()))) {
			return invoker;
		}
		return (context) -> invoker.invoke(withBody(context));
	}

	private static InvocationContext withBody(InvocationContext context) {
		Map<String, String> body = new LinkedHashMap<>();
		context.getArguments().forEach((key, value) -> {
			if (!SELECTOR.equals(key) && !BODY.equals(key)) {
				body.put(key, (value != null) ? String.valueOf(value) : null);
			}
		});
		try {
			context.getArguments().put(BODY, body);
			return context;
		}
		catch (UnsupportedOperationException ex) {
			Map<String, Object> arguments = new LinkedHashMap<>(context.getArguments());
			arguments.put(BODY, body);
			return new InvocationContext(context.resolveArgument(SecurityContext.class), arguments);
		}
	}

	/**
	 * A 400 naming the first field given as JSON {@code null} (no field takes null: leave it out
	 * instead), or {@code null} when every field has a value.
	 */
	static @Nullable WebEndpointResponse<Object> nullField(Map<String, String> body) {
		for (Map.Entry<String, String> field : body.entrySet()) {
			if (field.getValue() == null) {
				Map<String, String> error = new LinkedHashMap<>();
				error.put("error", "'" + field.getKey() + "' is null.");
				error.put("action", "Give '" + field.getKey() + "' a value, or leave it out.");
				return new WebEndpointResponse<>(error, WebEndpointResponse.STATUS_BAD_REQUEST);
			}
		}
		return null;
	}

	/** A refused change: 400 with the start-up message and what is allowed. */
	static WebEndpointResponse<Object> badRequest(RetryConfigurationException ex) {
		Map<String, String> error = new LinkedHashMap<>();
		error.put("error", ex.getMessage());
		error.put("action", ex.getAction());
		return new WebEndpointResponse<>(error, WebEndpointResponse.STATUS_BAD_REQUEST);
	}

}
