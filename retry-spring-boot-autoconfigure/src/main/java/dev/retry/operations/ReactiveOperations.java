package dev.retry.operations;

import dev.retry.execution.ReactiveRetry;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The Reactor side of {@link RetryOperations}, in a class of its own so that nothing loads Reactor
 * unless {@code mono} or {@code flux} is called. Each subscription reads the plan then, so a
 * publisher made before the policy was re-tuned runs under the new values.
 */
final class ReactiveOperations {

	private ReactiveOperations() {
	}

	static <T> Mono<T> mono(OperationPlan plan, Mono<T> source) {
		return Mono.defer(() -> ReactiveRetry.mono(plan.executor(), source, null, null));
	}

	static <T> Flux<T> flux(OperationPlan plan, Flux<T> source) {
		return Flux.defer(() -> ReactiveRetry.flux(plan.executor(), source, null, null));
	}

}
