package dev.retry.autoconfigure.fleet;

import java.util.List;
import java.util.Set;

/**
 * The fleet as endpoints, health and meters show it, with no Redis types: readable whether or not
 * Spring Data Redis is on the class path.
 */
public interface FleetView {

	/** The fleet's name. */
	String getName();

	/** This instance's name in the fleet. */
	String getInstance();

	/** Whether Redis answered the latest heartbeat. */
	boolean isLinked();

	/** Instances seen in the last few seconds. */
	List<String> getMembers();

	/**
	 * Messages ignored: malformed, of another fleet, about a breaker not shared here or a policy not
	 * known here, refused by this instance's endpoint access or by the start-up checks.
	 */
	long getIgnoredMessages();

	/** Names of the breakers shared with the fleet. */
	Set<String> getSharedBreakers();

}
