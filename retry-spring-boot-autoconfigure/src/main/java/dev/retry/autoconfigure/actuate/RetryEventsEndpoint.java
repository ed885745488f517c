package dev.retry.autoconfigure.actuate;

import java.util.List;
import java.util.function.Predicate;

import dev.retry.autoconfigure.actuate.RetryEvents.RetryEvent;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * {@code /actuator/retryevents}: the most recent retry and breaker events, newest first;
 * {@code ?method=InventoryClient.stock}, {@code ?breaker=inventory} and {@code ?limit=20} narrow
 * them.
 */
@Endpoint(id = "retryevents")
public class RetryEventsEndpoint {

	private final RetryEvents events;

	public RetryEventsEndpoint(RetryEvents events) {
		this.events = events;
	}

	@ReadOperation
	public RetryEventsDescriptor events(@Nullable String method, @Nullable String breaker, @Nullable Integer limit) {
		Predicate<RetryEvent> filter = (event) -> (method == null || method.equals(event.method()))
				&& (breaker == null || breaker.equals(event.breaker()));
		int most = (limit != null && limit > 0) ? limit : this.events.capacity();
		return new RetryEventsDescriptor(this.events.capacity(), this.events.recent(filter, most));
	}

	/**
	 * @param capacity events kept at most ({@code retry.events.capacity})
	 * @param events the events, newest first
	 */
	public record RetryEventsDescriptor(int capacity, List<RetryEvent> events) implements OperationResponseBody {
	}

}
