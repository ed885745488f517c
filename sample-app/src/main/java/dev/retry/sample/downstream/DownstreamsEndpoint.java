package dev.retry.sample.downstream;

import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.stereotype.Component;

/**
 * The simulation's controls, as an actuator endpoint so that the live page reads nothing but
 * actuator endpoints: {@code GET /actuator/downstreams} shows each downstream's mode,
 * {@code POST /actuator/downstreams/{name}} with {@code {"mode": "DOWN"}} (and {@code "percent"}
 * for {@code FLAKY}) switches it.
 */
@Component
@Endpoint(id = "downstreams")
public class DownstreamsEndpoint {

	private final Downstreams downstreams;

	public DownstreamsEndpoint(Downstreams downstreams) {
		this.downstreams = downstreams;
	}

	@ReadOperation
	public Map<String, DownstreamDescriptor> downstreams() {
		Map<String, DownstreamDescriptor> all = new LinkedHashMap<>();
		for (Downstream downstream : this.downstreams.all()) {
			all.put(downstream.getName(), describe(downstream));
		}
		return all;
	}

	@WriteOperation
	public DownstreamDescriptor switchMode(@Selector String name, FailureMode mode, @Nullable Integer percent) {
		Downstream downstream = this.downstreams.get(name);
		downstream.switchTo(mode, (percent != null) ? percent : downstream.getPercent());
		return describe(downstream);
	}

	private static DownstreamDescriptor describe(Downstream downstream) {
		return new DownstreamDescriptor(downstream.getName(), downstream.getDescription(), downstream.getMode(),
				downstream.getPercent(), downstream.getRequests());
	}

	/**
	 * @param name the downstream
	 * @param description what it stands for
	 * @param mode how it behaves now
	 * @param percent share of requests failed when flaky
	 * @param requests requests received since the mode was set
	 */
	public record DownstreamDescriptor(String name, String description, FailureMode mode, int percent, int requests) {
	}

}
