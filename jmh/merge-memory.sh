#!/usr/bin/env bash
# Peak memory and time of `oplora init` (lora, r 16) and `oplora merge` on a Qwen2.5-1.5B-shaped
# BF16 folder (random weights, made here), each under -Xmx3g. Usage: jmh/merge-memory.sh [WORK_DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${1:-$root/jmh/target/merge-memory}"
cd "$root"
mvn -q -B -ntp -DskipTests install -pl jmh -am
classpath="$(mvn -q -B -ntp dependency:build-classpath -pl jmh -Dmdep.outputFile=/dev/stdout):$root/jmh/target/classes"
mkdir -p "$work"
if [ ! -f "$work/base/model.safetensors" ]; then
  java -Xmx3g -cp "$classpath" dev.oplora.bench.SyntheticCheckpoint "$work/base"
fi
rm -rf "$work/adapter" "$work/merged"
measure() {
  local label="$1"; shift
  /usr/bin/time -f "$label: %e s wall, peak RSS %M KiB" env OPLORA_JAVA_OPTS=-Xmx3g ./oplora "$@" 2>&1 \
    | grep -E "^$label:|^wrote|Exception|Error" || true
}
measure init init --model "$work/base" --method lora --rank 16 --out "$work/adapter"
measure merge merge --model "$work/base" --adapter "$work/adapter" --out "$work/merged"
ls -l "$work/base" "$work/merged"
