package dev.retry.benchmarks;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * The success path where users run it: the same trivial method through each library's annotation,
 * in a Spring Boot context with the actuator and a Prometheus registry ({@code metrics}), and with
 * OpenTelemetry tracing besides, every call sampled ({@code traced}) or at Spring Boot's default
 * probability ({@code traced-default}). Spring's own {@code @Observed} on one method is the anchor
 * for what one observation costs; the floor is a CGLIB proxy with a no-op interceptor.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = { "-Xms512m", "-Xmx512m" })
public class RealisticSuccessPathBenchmark {

	@Param({ "metrics", "traced", "traced-default" })
	public String setup;

	private ConfigurableApplicationContext context;

	private Targets.Plain floor;

	private Targets.OursRetry oursRetry;

	private Targets.OursBreaker oursBreaker;

	private Targets.OursBoth oursBoth;

	private Targets.R4jRetry r4jRetry;

	private Targets.R4jBoth r4jBoth;

	private Targets.FrameworkRetry frameworkRetry;

	private Targets.SpringObserved springObserved;

	private int x;

	@Setup(Level.Trial)
	public void start() {
		this.context = BenchmarkApplication.start(dev.retry.benchmarks.Setup.of(this.setup));
		this.floor = this.context.getBean("floor", Targets.Plain.class);
		this.oursRetry = this.context.getBean(Targets.OursRetry.class);
		this.oursBreaker = this.context.getBean(Targets.OursBreaker.class);
		this.oursBoth = this.context.getBean(Targets.OursBoth.class);
		this.r4jRetry = this.context.getBean(Targets.R4jRetry.class);
		this.r4jBoth = this.context.getBean(Targets.R4jBoth.class);
		this.frameworkRetry = this.context.getBean(Targets.FrameworkRetry.class);
		this.springObserved = this.context.getBean(Targets.SpringObserved.class);
	}

	@TearDown(Level.Trial)
	public void stop() {
		this.context.close();
	}

	@Benchmark
	public int floor() {
		return this.floor.work(this.x++);
	}

	@Benchmark
	public int oursRetryable() {
		return this.oursRetry.work(this.x++);
	}

	@Benchmark
	public int oursCircuitBreaker() {
		return this.oursBreaker.work(this.x++);
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
	public int resilience4jRetryAndCircuitBreaker() {
		return this.r4jBoth.work(this.x++);
	}

	@Benchmark
	public int springFramework7Retryable() {
		return this.frameworkRetry.work(this.x++);
	}

	/** Spring's {@code @Observed}: one observation per call, the anchor. */
	@Benchmark
	public int springObserved() {
		return this.springObserved.work(this.x++);
	}

}
