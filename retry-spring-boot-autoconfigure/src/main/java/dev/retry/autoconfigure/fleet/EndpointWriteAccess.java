package dev.retry.autoconfigure.fleet;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.EndpointAccessResolver;
import org.springframework.boot.actuate.endpoint.EndpointId;

/** {@link FleetWriteAccess} by Spring Boot Actuator's endpoint access rules: only unrestricted endpoints take writes. */
final class EndpointWriteAccess implements FleetWriteAccess {

	private final EndpointAccessResolver resolver;

	EndpointWriteAccess(EndpointAccessResolver resolver) {
		this.resolver = resolver;
	}

	@Override
	public boolean allowsWrites(String endpointId) {
		return this.resolver.accessFor(EndpointId.of(endpointId), Access.UNRESTRICTED) == Access.UNRESTRICTED;
	}

}
