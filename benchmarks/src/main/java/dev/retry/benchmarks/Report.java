package dev.retry.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every benchmark with the GC profiler and prints one table: ns/op (or calls/µs) with JMH's
 * error, the ratio to the no-op proxy floor and to Spring's {@code @Observed} in the same setup, and
 * bytes allocated per call. {@code --quick} makes it a seconds-long
 * smoke run that only proves the suite works.
 */
public final class Report {

	private Report() {
	}

	public static void main(String[] args) throws RunnerException {
		boolean quick = List.of(args).contains("--quick");
		// Any other argument names the benchmarks to run (a regular expression, such as RealisticSuccessPath).
		String include = List.of(args).stream().filter((arg) -> !arg.startsWith("--")).findFirst().orElse(".*");
		ChainedOptionsBuilder options = new OptionsBuilder()
			.include("dev\\.retry\\.benchmarks\\.(" + include + ")Benchmark")
			.addProfiler(GCProfiler.class)
			.shouldFailOnError(true);
		if (quick) {
			options.warmupIterations(1)
				.warmupTime(TimeValue.milliseconds(200))
				.measurementIterations(1)
				.measurementTime(TimeValue.milliseconds(200));
		}
		Collection<RunResult> results = new Runner(options.build()).run();
		print(results);
	}

	private static void print(Collection<RunResult> results) {
		List<String[]> rows = new ArrayList<>();
		for (String benchmark : List.of("SuccessPathBenchmark", "RealisticSuccessPathBenchmark",
				"FailingCallBenchmark", "SharedBreakerBenchmark", "ProgrammaticBenchmark")) {
			for (RunResult result : results) {
				String name = result.getParams().getBenchmark();
				if (!name.contains("." + benchmark + ".")) {
					continue;
				}
				String setup = result.getParams().getParam("setup");
				double floor = score(results, benchmark, setup, "floor");
				double observed = score(results, benchmark, setup, "springObserved");
				Result<?> primary = result.getPrimaryResult();
				Result<?> bytes = result.getSecondaryResults().get("gc.alloc.rate.norm");
				rows.add(new String[] { benchmark.replace("Benchmark", ""), (setup != null) ? setup : "lab",
						name.substring(name.lastIndexOf('.') + 1),
						format(primary.getScore()) + " ± " + format(primary.getScoreError()) + " "
								+ primary.getScoreUnit(),
						format(ratio(primary, floor)), format(ratio(primary, observed)),
						(bytes != null) ? format(bytes.getScore()) : "" });
			}
		}
		System.out.println();
		System.out.println("| benchmark | setup | contender | score | x floor | x @Observed | B/op |");
		System.out.println("|---|---|---|---|---|---|---|");
		for (String[] row : rows) {
			System.out.println("| " + String.join(" | ", row).replace("NaN", "") + " |");
		}
	}

	/** How many times the reference this is: its time over the reference's, or for throughput the inverse. */
	private static double ratio(Result<?> primary, double reference) {
		return primary.getScoreUnit().contains("ops") ? reference / primary.getScore()
				: primary.getScore() / reference;
	}

	/** The score of {@code method} in the same benchmark and setup, or NaN. */
	private static double score(Collection<RunResult> results, String benchmark, @Nullable String setup,
			String method) {
		for (RunResult result : results) {
			if (result.getParams().getBenchmark().endsWith(benchmark + "." + method)
					&& Objects.equals(setup, result.getParams().getParam("setup"))) {
				return result.getPrimaryResult().getScore();
			}
		}
		return Double.NaN;
	}

	private static String format(double value) {
		return String.format(Locale.ROOT, (Math.abs(value) >= 100) ? "%.0f" : "%.2f", value);
	}

}
