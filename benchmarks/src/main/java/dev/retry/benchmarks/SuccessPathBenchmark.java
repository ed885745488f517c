package dev.retry.benchmarks;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * A successful call of a trivial method through each library's annotation, in one Spring Boot
 * context, against the floor: a CGLIB proxy with a no-op interceptor.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = { "-Xms512m", "-Xmx512m" })
public class SuccessPathBenchmark {

	private ConfigurableApplicationContext context;

	private Targets.Plain direct;

	private Targets.Plain floor;

	private Targets.OursRetry oursRetry;

	private Targets.OursBreaker oursBreaker;

	private Targets.OursTimed oursTimed;

	private Targets.OursCheckedResult oursCheckedResult;

	private Targets.OursFuture oursFuture;

	private Targets.OursBoth oursBoth;

	private Targets.OursFleetBreaker oursFleetBreaker;

	private Targets.R4jRetry r4jRetry;

	private Targets.R4jBreaker r4jBreaker;

	private Targets.R4jBoth r4jBoth;

	private Targets.SpringRetry springRetry;

	private Targets.FrameworkRetry frameworkRetry;

	private int x;

	@Setup(Level.Trial)
	public void start() {
		this.context = BenchmarkApplication.start();
		this.direct = new Targets.Plain();
		this.floor = this.context.getBean("floor", Targets.Plain.class);
		this.oursRetry = this.context.getBean(Targets.OursRetry.class);
		this.oursBreaker = this.context.getBean(Targets.OursBreaker.class);
		this.oursTimed = this.context.getBean(Targets.OursTimed.class);
		this.oursCheckedResult = this.context.getBean(Targets.OursCheckedResult.class);
		this.oursFuture = this.context.getBean(Targets.OursFuture.class);
		this.oursBoth = this.context.getBean(Targets.OursBoth.class);
		this.oursFleetBreaker = this.context.getBean(Targets.OursFleetBreaker.class);
		// As the fleet links a breaker of scope fleet: the closed path must not reach the link.
		this.context.getBean(dev.retry.autoconfigure.config.CircuitBreakerRegistry.class)
			.find("fleet")
			.link(new dev.retry.breaker.BreakerLink() {
				@Override
				public boolean isShared() {
					return true;
				}
			});
		this.r4jRetry = this.context.getBean(Targets.R4jRetry.class);
		this.r4jBreaker = this.context.getBean(Targets.R4jBreaker.class);
		this.r4jBoth = this.context.getBean(Targets.R4jBoth.class);
		this.springRetry = this.context.getBean(Targets.SpringRetry.class);
		this.frameworkRetry = this.context.getBean(Targets.FrameworkRetry.class);
	}

	@TearDown(Level.Trial)
	public void stop() {
		this.context.close();
	}

	@Benchmark
	public int direct() {
		return this.direct.work(this.x++);
	}

	@Benchmark
	public int floor() {
		return this.floor.work(this.x++);
	}

	@Benchmark
	public int oursRetryable() {
		return this.oursRetry.work(this.x++);
	}

	/** attempt-timeout 5s: a watchdog timer is set and cancelled around each attempt. */
	@Benchmark
	public int oursRetryableWithAttemptTimeout() {
		return this.oursTimed.work(this.x++);
	}

	/** retryOnResult with a predicate that answers false: the cost of checking each result. */
	@Benchmark
	public int oursRetryableWithResultPredicate() {
		return this.oursCheckedResult.work(this.x++);
	}

	/** A future answered at once, retried: the baseline for the hedged one. */
	@Benchmark
	public Object oursFuture() {
		return this.oursFuture.work(this.x++).join();
	}

	/** The same future under hedge-delay 1s: the hedge race and its timer, never fired. */
	@Benchmark
	public Object oursFutureHedged() {
		return this.oursFuture.hedged(this.x++).join();
	}

	@Benchmark
	public int oursCircuitBreaker() {
		return this.oursBreaker.work(this.x++);
	}

	/** A breaker shared with a fleet, closed: what the fleet adds to the success path. */
	@Benchmark
	public int oursCircuitBreakerFleetScope() {
		return this.oursFleetBreaker.work(this.x++);
	}

	@Benchmark
	public int oursRetryableAndCircuitBreaker() {
		return this.oursBoth.work(this.x++);
	}

	@Benchmark
	public int resilience4jRetry() {
		return this.r4jRetry.work(this.x++);
	}

	@Benchmark
	public int resilience4jCircuitBreaker() {
		return this.r4jBreaker.work(this.x++);
	}

	@Benchmark
	public int resilience4jRetryAndCircuitBreaker() {
		return this.r4jBoth.work(this.x++);
	}

	@Benchmark
	public int springRetryRetryable() {
		return this.springRetry.work(this.x++);
	}

	@Benchmark
	public int springFramework7Retryable() {
		return this.frameworkRetry.work(this.x++);
	}

}
