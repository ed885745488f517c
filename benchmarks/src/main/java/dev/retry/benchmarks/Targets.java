package dev.retry.benchmarks;

import dev.retry.annotation.CircuitBreaker;
import dev.retry.annotation.Retryable;
import io.github.resilience4j.retry.annotation.Retry;

/** One trivial method per library and annotation, each on a bean of its own. */
final class Targets {

	private Targets() {
	}

	/** The same work for everyone. */
	static int work(int x) {
		return x + 1;
	}

	public static class Plain {

		public int work(int x) {
			return Targets.work(x);
		}

	}

	public static class OursRetry {

		@Retryable("bench")
		public int work(int x) {
			return Targets.work(x);
		}

	}

	public static class OursTimed {

		@Retryable("timed")
		public int work(int x) {
			return Targets.work(x);
		}

	}

	/** A result predicate that never rejects: what checking every result costs. */
	public static class OursCheckedResult {

		@Retryable(policy = "bench", retryOnResult = NeverRetried.class)
		public int work(int x) {
			return Targets.work(x);
		}

	}

	public static class NeverRetried implements java.util.function.Predicate<Integer> {

		@Override
		public boolean test(Integer result) {
			return result < 0;
		}

	}

	/** Answers at once: measures what the retry (and, hedged, the hedge race) adds to a future. */
	public static class OursFuture {

		@Retryable("bench")
		public java.util.concurrent.CompletableFuture<Integer> work(int x) {
			return java.util.concurrent.CompletableFuture.completedFuture(Targets.work(x));
		}

		@Retryable("hedged")
		public java.util.concurrent.CompletableFuture<Integer> hedged(int x) {
			return java.util.concurrent.CompletableFuture.completedFuture(Targets.work(x));
		}

	}

	public static class OursBreaker {

		@CircuitBreaker("bench")
		public int work(int x) {
			return Targets.work(x);
		}

	}

	/** A breaker shared with a fleet (its link set up by the benchmark): the same closed path, no Redis on it. */
	public static class OursFleetBreaker {

		@CircuitBreaker("fleet")
		public int work(int x) {
			return Targets.work(x);
		}

	}

	public static class OursBoth {

		@Retryable("bench")
		@CircuitBreaker("both")
		public int work(int x) {
			return Targets.work(x);
		}

	}

	public static class R4jRetry {

		@Retry(name = "bench")
		public int work(int x) {
			return Targets.work(x);
		}

	}

	public static class R4jBreaker {

		@io.github.resilience4j.circuitbreaker.annotation.CircuitBreaker(name = "bench")
		public int work(int x) {
			return Targets.work(x);
		}

	}

	public static class R4jBoth {

		@Retry(name = "bench")
		@io.github.resilience4j.circuitbreaker.annotation.CircuitBreaker(name = "both")
		public int work(int x) {
			return Targets.work(x);
		}

	}

	public static class SpringRetry {

		@org.springframework.retry.annotation.Retryable
		public int work(int x) {
			return Targets.work(x);
		}

	}

	public static class FrameworkRetry {

		@org.springframework.resilience.annotation.Retryable
		public int work(int x) {
			return Targets.work(x);
		}

	}

	/** Spring's own observation of one method: the anchor for what one observation costs. */
	public static class SpringObserved {

		@io.micrometer.observation.annotation.Observed
		public int work(int x) {
			return Targets.work(x);
		}

	}

	/** Fails twice, then answers: the cost of two retries at zero delay. */
	public static class Failing {

		private int calls;

		public int work(int x) {
			if (this.calls++ % 3 != 2) {
				throw new IllegalStateException("not yet");
			}
			return Targets.work(x);
		}

	}

	public static class OursFailing extends Failing {

		@Override
		@Retryable(policy = "zero", retryOn = IllegalStateException.class)
		public int work(int x) {
			return super.work(x);
		}

	}

	public static class R4jFailing extends Failing {

		@Override
		@Retry(name = "zero")
		public int work(int x) {
			return super.work(x);
		}

	}

	public static class FrameworkFailing extends Failing {

		@Override
		@org.springframework.resilience.annotation.Retryable(maxRetries = 2, delay = 0)
		public int work(int x) {
			return super.work(x);
		}

	}

}
