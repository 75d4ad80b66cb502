#!/usr/bin/env python3
"""Writes jmh-summary.md for a bench-results/<date>-<commit>/ folder from the JMH JSON files in it.

The folder's summary.md (and results.json) belong to bin/riffle-bench, the side-by-side runner.

For every benchmark: the median of the measured iterations, their min-max, and, for Riffle's
benchmarks, the baseline measured in the same run beside it with the ratio.
"""
import glob
import json
import os
import platform
import statistics
import subprocess
import sys

# Riffle benchmark method -> the baseline methods of the same class it is compared with.
BASELINES = {
    "riffleOffHeapTable": ["hashMapBaseline"],
    "hashInt64": ["hashInt64RowAtATime"],
    "hashUtf8": ["hashUtf8RowAtATime"],
    "filterInt64GreaterThan": ["filterInt64RowAtATime"],
    "riffleChannel": ["arrayBlockingQueue", "jctoolsSpsc"],
    "riffleChannelLatency": ["arrayBlockingQueueLatency", "jctoolsSpscLatency"],
    "w1KeyedRunningSum": ["w1HashMapBaseline"],
    "w2BatchGroupSum": ["w2HashMapBaseline"],
    "whereSelectExpressions": ["filterMapRowFunctions"],
    "w1CheckpointEverySecond": ["w1NoCheckpoints"],
    "w3Tumbling": ["w3HashMapBaseline"],
    "w3Sliding": ["w3Tumbling", "w3HashMapBaseline"],
    "w3Sessions": ["w3SessionsHashMapBaseline"],
    "w3TumblingReduce": ["w3Tumbling", "w3HashMapBaseline"],
    "w5JoinThenSum": ["w5HashMapBaseline"],
    "w5BroadcastJoinThenSum": ["w5JoinThenSum", "w5HashMapBaseline"],
    "intervalJoin": ["intervalJoinBaseline"],
}
BASELINE_METHODS = {b for bs in BASELINES.values() for b in bs}


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_gib():
    try:
        with open("/proc/meminfo") as f:
            kib = int(f.readline().split()[1])
            return f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        return "unknown"


def fmt(v):
    if v >= 1e6:
        return f"{v / 1e6:,.1f} M"
    if v >= 1e3:
        return f"{v / 1e3:,.1f} k"
    return f"{v:,.2f}"


def main(folder):
    rows = {}
    jvm = None
    for path in sorted(glob.glob(os.path.join(folder, "*.json"))):
        if os.path.basename(path) == "results.json":
            continue
        with open(path) as f:
            for r in json.load(f):
                jvm = jvm or f'{r.get("vmName", "")} {r.get("jdkVersion", "")} ({r.get("vmVersion", "")})'
                cls, method = r["benchmark"].rsplit(".", 1)
                params = ", ".join(f"{k}={v}" for k, v in sorted(r.get("params", {}).items()))
                metric = r["primaryMetric"]
                row = {"unit": metric["scoreUnit"], "file": os.path.basename(path), "mode": r["mode"]}
                if r["mode"] == "sample":
                    pct = metric["scorePercentiles"]
                    row.update(p50=pct["50.0"], p99=pct["99.0"], p999=pct["99.9"], max=pct["100.0"])
                else:
                    raw = [x for fork in metric["rawData"] for x in fork]
                    row.update(median=statistics.median(raw), min=min(raw), max=max(raw))
                rows[(cls.rsplit(".", 1)[1], method, params)] = row
    # The folder is named <date>-<short commit> when the run started; the summary may be regenerated later.
    short = os.path.basename(os.path.normpath(folder)).rsplit("-", 1)[-1]
    commit = subprocess.run(["git", "rev-parse", "--verify", "--quiet", short + "^{commit}"],
                            capture_output=True, text=True).stdout.strip() or short
    out = [f"# Benchmark results: {os.path.basename(os.path.normpath(folder))}", "",
           f"- machine: {cpu_model()}, {os.cpu_count()} cores, {memory_gib()}, {platform.system()} {platform.release()}",
           f"- JVM: {jvm}", f"- commit: {commit}",
           "- figures: median of the measured JMH iterations (min-max), ops/s = rows/s (batches/s for",
           "  ChannelBenchmark); the baseline ran in the same JMH run, same fork settings, same data", "",
           "| benchmark | params | Riffle median (min-max) | baseline | baseline median (min-max) | ratio |",
           "|---|---|---|---|---|---|"]
    latency = []
    for (cls, method, params), r in sorted(rows.items()):
        if method not in BASELINES:
            continue
        if r["mode"] == "sample":
            latency.append((cls, method, params, r))
            continue
        cell = f'{fmt(r["median"])} ({fmt(r["min"])}-{fmt(r["max"])}) {r["unit"]}'
        for baseline in BASELINES[method]:
            base = rows.get((cls, baseline, params))
            if base:
                bcell = f'{fmt(base["median"])} ({fmt(base["min"])}-{fmt(base["max"])})'
                ratio = f'{r["median"] / base["median"]:.1f}x'
            else:
                bcell, ratio = "not run", "-"
            out.append(f"| {cls}.{method} | {params or '-'} | {cell} | {baseline} | {bcell} | {ratio} |")
    if latency:
        out += ["", "Latency (JMH SampleTime percentiles; lower is better):", "",
                "| benchmark | params | p50 | p99 | p99.9 | max | unit |", "|---|---|---|---|---|---|---|"]
        for cls, method, params, r in latency:
            for m, row in [(method, r)] + [(b, rows.get((cls, b, params))) for b in BASELINES[method]]:
                if row:
                    out.append(f'| {cls}.{m} | {params or "-"} | {row["p50"]:,.0f} | {row["p99"]:,.0f} | '
                               f'{row["p999"]:,.0f} | {row["max"]:,.0f} | {row["unit"]} |')
    others = [(k, r) for k, r in sorted(rows.items())
              if k[1] not in BASELINES and k[1] not in BASELINE_METHODS and r["mode"] != "sample"]
    if others:
        out += ["", "| other benchmark | params | median (min-max) |", "|---|---|---|"]
        for (cls, method, params), r in others:
            out.append(f'| {cls}.{method} | {params or "-"} | {fmt(r["median"])} ({fmt(r["min"])}-{fmt(r["max"])}) {r["unit"]} |')
    out += ["", "Raw JMH JSON: " + ", ".join(sorted({r["file"] for r in rows.values()})), ""]
    notes = os.path.join(folder, "notes.md")
    if os.path.exists(notes):
        with open(notes) as f:
            out += ["## Notes", "", f.read().strip(), ""]
    with open(os.path.join(folder, "jmh-summary.md"), "w") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
