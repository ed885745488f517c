package dev.retry.benchmarks;

import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
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

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What observations cost on the success path: the same context as {@link SuccessPathBenchmark},
 * plus an {@link ObservationRegistry} whose handler times every observation into a meter registry
 * (what Spring Boot's actuator sets up), so each call is a {@code retry.call} and its attempt a
 * {@code retry.attempt}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = { "-Xms512m", "-Xmx512m" })
public class ObservedSuccessPathBenchmark {

	private ConfigurableApplicationContext context;

	private Targets.Plain floor;

	private Targets.OursRetry oursRetry;

	private Targets.OursBoth oursBoth;

	private int x;

	@Setup(Level.Trial)
	public void start() {
		this.context = new SpringApplicationBuilder(BenchmarkApplication.class, Observed.class)
			.web(WebApplicationType.NONE)
			.logStartupInfo(false)
			.run();
		this.floor = this.context.getBean("floor", Targets.Plain.class);
		this.oursRetry = this.context.getBean(Targets.OursRetry.class);
		this.oursBoth = this.context.getBean(Targets.OursBoth.class);
		if (this.context.getBeanNamesForType(dev.retry.event.CallObserver.class).length != 1) {
			throw new IllegalStateException("calls are not observed: the benchmark would measure nothing new");
		}
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
	public int oursRetryableObserved() {
		return this.oursRetry.work(this.x++);
	}

	@Benchmark
	public int oursRetryableAndCircuitBreakerObserved() {
		return this.oursBoth.work(this.x++);
	}

	@Configuration(proxyBeanMethods = false)
	static class Observed {

		@Bean
		ObservationRegistry observationRegistry() {
			ObservationRegistry registry = ObservationRegistry.create();
			registry.observationConfig().observationHandler(new DefaultMeterObservationHandler(new SimpleMeterRegistry()));
			return registry;
		}

	}

}
