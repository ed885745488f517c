#!/bin/sh
# Runs the whole JMH suite (the lab, and the realistic configurations: actuator + Prometheus, and
# OpenTelemetry tracing at 1.0 and at Boot's default; about half an hour on 2 quiet cores) and prints
# a table of ns/op, ratio to the no-op proxy floor and to Spring's @Observed in the same setup, and
# bytes allocated per call, then the heap held per async call waiting for a retry,
# then what the start-up self-invocation scan costs on 500 annotated bean classes.
# `benchmarks/run.sh --quick` is a seconds-long smoke run; `benchmarks/run.sh RealisticSuccessPath` (a regular
# expression) runs only the benchmarks it names.
set -e
cd "$(dirname "$0")/.."
./mvnw -q -B package -DskipTests -pl benchmarks -am
CP="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
java -cp "$CP" dev.retry.benchmarks.Report "$@"
java -Xmx1g -cp "$CP" dev.retry.benchmarks.AsyncCapacity
exec java -cp "$CP" dev.retry.benchmarks.StartupScanCost
