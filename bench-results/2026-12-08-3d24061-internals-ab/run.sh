#!/usr/bin/env bash
# Alternates the side-by-side runner (Riffle only) over two builds: before (issue 18's start) and after.
#   run.sh ROUNDS OUTDIR before=/work/wt-before after=/work/main [runner options...]
set -euo pipefail
rounds=$1; out=$2; shift 2
builds=()
while [ $# -gt 0 ] && [[ "$1" == *=* ]] && [[ "$1" != --* ]]; do builds+=("$1"); shift; done
opens=""
for p in java.nio java.util java.lang java.lang.invoke sun.nio.ch java.io java.net java.util.concurrent \
         sun.util.calendar jdk.internal.ref; do
  opens="$opens --add-opens=java.base/$p=ALL-UNNAMED"
done
mkdir -p "$out"
for r in $(seq 1 "$rounds"); do
  for b in "${builds[@]}"; do
    name=${b%%=*}; tree=${b#*=}
    cp="$tree/bench/target/classes:$(cat "$tree/bench/target/runtime-classpath.txt")"
    commit=$(git -C "$tree" rev-parse --short HEAD)
    echo "== round $r $name ($commit) $(date -u +%H:%M:%S)"
    # shellcheck disable=SC2086
    java $opens -Xmx6g -XX:+UseParallelGC -Djava.awt.headless=true -cp "$cp" io.riffle.bench.BenchRunner \
      --systems riffle --commit "$commit" --out "$out/$name-$r" "$@" > "$out/$name-$r.log" 2>&1
    grep -E '^\| W[1-5] ' "$out/$name-$r/summary.md" || tail -5 "$out/$name-$r.log"
  done
done
