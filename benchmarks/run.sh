#!/bin/sh
# Runs the whole JMH suite (a few minutes on 2 cores) and prints a table of ns/op, ratio to the
# no-op proxy floor and bytes allocated per call. `benchmarks/run.sh --quick` is a seconds-long smoke run.
set -e
cd "$(dirname "$0")/.."
./mvnw -q -B package -DskipTests -pl benchmarks -am
exec java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" dev.retry.benchmarks.Report "$@"
