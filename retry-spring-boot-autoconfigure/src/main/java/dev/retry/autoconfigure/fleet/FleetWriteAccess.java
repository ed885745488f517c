package dev.retry.autoconfigure.fleet;

/**
 * Whether a change arriving from the fleet may be made on this instance: the same access rule as
 * a write to this instance's own endpoint would meet. Runtime overrides of policies are writes to
 * {@code retries}; of breakers, and operators' open, close and reset, writes to
 * {@code circuitbreakers}. With Spring Boot Actuator, its endpoint access settings
 * ({@code management.endpoint.<id>.access}, {@code management.endpoints.access.*}) decide.
 */
@FunctionalInterface
public interface FleetWriteAccess {

	/** Endpoint id of policy changes. */
	String RETRIES = "retries";

	/** Endpoint id of breaker changes. */
	String CIRCUIT_BREAKERS = "circuitbreakers";

	/** Every write allowed: no access rules (no actuator). */
	FleetWriteAccess UNRESTRICTED = (endpoint) -> true;

	/** Whether a write to this endpoint would be taken here. */
	boolean allowsWrites(String endpointId);

}
