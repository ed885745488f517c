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

/** A call that fails twice and succeeds on the third attempt, at zero delay: the cost of two retries. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = { "-Xms512m", "-Xmx512m" })
public class FailingCallBenchmark {

	private ConfigurableApplicationContext context;

	private Targets.Failing ours;

	private Targets.Failing r4j;

	private Targets.Failing framework;

	private int x;

	@Setup(Level.Trial)
	public void start() {
		this.context = BenchmarkApplication.start();
		this.ours = this.context.getBean(Targets.OursFailing.class);
		this.r4j = this.context.getBean(Targets.R4jFailing.class);
		this.framework = this.context.getBean(Targets.FrameworkFailing.class);
	}

	@TearDown(Level.Trial)
	public void stop() {
		this.context.close();
	}

	@Benchmark
	public int oursTwoRetries() {
		return this.ours.work(this.x++);
	}

	@Benchmark
	public int resilience4jTwoRetries() {
		return this.r4j.work(this.x++);
	}

	@Benchmark
	public int springFramework7TwoRetries() {
		return this.framework.work(this.x++);
	}

}
