#!/bin/bash
# usage: run.sh rounds jar-name... ; jar "before" is /tmp/riffle-before's build
rounds=$1; shift
for round in $(seq 1 $rounds); do
  for v in "$@"; do
    if [ "$v" = before ]; then jar=/tmp/riffle-before/jmh/target/benchmarks.jar; else jar=/tmp/w1perf/$v.jar; fi
    echo "$v round $round $(date +%T) load $(cut -d' ' -f1 /proc/loadavg): $(java --add-opens=java.base/java.nio=ALL-UNNAMED -Xms2g -Xmx2g -XX:+UseParallelGC -cp $jar:/tmp/w1harness W1Cpu 3 7 100000000 2>&1 | tail -1)"
  done
done
