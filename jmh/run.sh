#!/usr/bin/env bash
# Builds jmh/target/benchmarks.jar (shaded, native jars left out) and runs the suite; prints the
# ratio table the targets are stated in. Arguments go to JMH, e.g.:
#   jmh/run.sh ProjectionBenchmark -p shape=4096x4096 -p k=64
# Results: jmh/results/<timestamp>.json, with the machine described beside it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mvn -q -B -ntp -DskipTests install -pl jmh -am
natives="$root/jmh/target/natives.classpath"
mvn -q -B -ntp dependency:build-classpath -pl jmh -Dmdep.includeClassifiers=linux-x86_64 -Dmdep.outputFile="$natives"
mkdir -p jmh/results
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="jmh/results/$stamp.json"
threads="${OPLORA_THREADS:-$(nproc)}"
export OMP_NUM_THREADS="$threads"
{
  echo "date: $stamp"
  echo "cores: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "memory: $(free -g | awk '/Mem:/ {print $2}') GiB"
  echo "jdk: $(java -version 2>&1 | head -1)"
  echo "args: $*"
} > "jmh/results/$stamp.machine.txt"
java -Doplora.threads="$threads" -Djava.awt.headless=true -cp "jmh/target/benchmarks.jar:$(cat "$natives")" \
  org.openjdk.jmh.Main -rf json -rff "$out" -jvmArgsPrepend "-Doplora.threads=$threads" "$@"
java -cp "jmh/target/benchmarks.jar" dev.oplora.bench.RatioTable "$out" | tee "jmh/results/$stamp.ratios.md"
