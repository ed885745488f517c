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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import org.springframework.context.ConfigurableApplicationContext;

/** Two threads calling through one shared breaker: throughput in calls per microsecond. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(2)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = { "-Xms512m", "-Xmx512m" })
public class SharedBreakerBenchmark {

	private ConfigurableApplicationContext context;

	private Targets.Plain floor;

	private Targets.OursBreaker ours;

	private Targets.R4jBreaker r4j;

	@Setup(Level.Trial)
	public void start() {
		this.context = BenchmarkApplication.start();
		this.floor = this.context.getBean("floor", Targets.Plain.class);
		this.ours = this.context.getBean(Targets.OursBreaker.class);
		this.r4j = this.context.getBean(Targets.R4jBreaker.class);
	}

	@TearDown(Level.Trial)
	public void stop() {
		this.context.close();
	}

	@Benchmark
	public int floor() {
		return this.floor.work(42);
	}

	@Benchmark
	public int oursCircuitBreaker() {
		return this.ours.work(42);
	}

	@Benchmark
	public int resilience4jCircuitBreaker() {
		return this.r4j.work(42);
	}

}
