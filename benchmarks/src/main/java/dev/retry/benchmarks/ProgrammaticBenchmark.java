package dev.retry.benchmarks;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.retry.operations.Retries;
import dev.retry.operations.RetryOperations;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryRegistry;
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
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;

/**
 * The programmatic success path, each contender held in a field and configured alike (three
 * attempts), in one Spring Boot context: ours ({@code RetryOperations}), Spring Framework 7's
 * {@code RetryTemplate}, and Resilience4j's {@code Retry} over its registry. Each is called with a
 * lambda made per call (capturing the argument), as application code writes it, and with a
 * supplier made once and held, as Resilience4j's decorated supplier is.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = { "-Xms512m", "-Xmx512m" })
public class ProgrammaticBenchmark {

	private ConfigurableApplicationContext context;

	private RetryOperations ours;

	private RetryTemplate template;

	private Retry resilience4j;

	/** Resilience4j's idiom: the supplier decorated once, held in a field. */
	private Supplier<Integer> decorated;

	/** A supplier made once, reading its argument from this state: no lambda per call. */
	private Supplier<Integer> held;

	private int x;

	@Setup(Level.Trial)
	public void start() {
		this.context = BenchmarkApplication.start();
		this.ours = this.context.getBean(Retries.class).policy("bench").named("Inventory.stock");
		this.template = new RetryTemplate(RetryPolicy.builder().maxRetries(2).delay(Duration.ofSeconds(1)).build());
		this.resilience4j = this.context.getBean(RetryRegistry.class).retry("bench");
		this.held = () -> Targets.work(this.x++);
		this.decorated = Retry.decorateSupplier(this.resilience4j, this.held);
	}

	@TearDown(Level.Trial)
	public void stop() {
		this.context.close();
	}

	/** The lambda alone, called directly. */
	@Benchmark
	public int direct() {
		int x = this.x++;
		Supplier<Integer> call = () -> Targets.work(x);
		return call.get();
	}

	@Benchmark
	public int oursGet() {
		int x = this.x++;
		return this.ours.get(() -> Targets.work(x));
	}

	@Benchmark
	public int oursGetHeldSupplier() {
		return this.ours.get(this.held);
	}

	@Benchmark
	public int springFramework7RetryTemplate() throws RetryException {
		int x = this.x++;
		return this.template.execute(() -> Targets.work(x));
	}

	@Benchmark
	public int resilience4jExecuteSupplier() {
		int x = this.x++;
		return this.resilience4j.executeSupplier(() -> Targets.work(x));
	}

	@Benchmark
	public int resilience4jDecoratedSupplier() {
		return this.decorated.get();
	}

}
