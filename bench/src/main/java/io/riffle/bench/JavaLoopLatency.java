package io.riffle.bench;

import java.util.List;

/**
 * L1's floor on this machine: one plain-Java thread that waits for each record's slot of the same
 * {@link PacedSchedule}, adds it to its key's running sum in a {@code long[]}, and records its latency at
 * once. No engine, no hand-off between threads, no checkpoints: what remains is the machine's own jitter
 * (preemption, interrupts, a neighbour on the host) as a spinning thread sees it. Takes part in L1 only.
 */
public final class JavaLoopLatency implements Contender {
    /** Its one configuration. */
    public static final String VARIANT = "one-thread";

    private long lastChecksum;

    @Override
    public String name() {
        return "java-loop";
    }

    @Override
    public boolean runs(Workload workload) {
        return false;
    }

    @Override
    public Run run(Workload workload, long records, long keys, int parallelism) {
        throw new UnsupportedOperationException("the plain-Java loop is L1's floor; it runs no workload");
    }

    @Override
    public List<String> latencyVariants() {
        return List.of(VARIANT);
    }

    @Override
    public LatencyRun latency(String variant, LatencySetup setup) {
        PacedSchedule schedule = new PacedSchedule(setup.recordsPerSecond(), setup.records());
        LatencyRecorder recorder = new LatencyRecorder(schedule, setup.warmupRecords());
        LatencyRecorder.Part latencies = recorder.part();
        if (setup.keys() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the plain-Java loop keeps its sums in an array: at most 2^31 - 1 keys");
        }
        long[] sums = new long[(int) setup.keys()];
        long epoch = schedule.start();
        long checksum = 0;
        for (long i = 0; i < setup.records(); i++) {
            long due = epoch + schedule.offsetNanos(i);
            while (System.nanoTime() - due < 0) {
                Thread.onSpinWait();
            }
            int key = (int) (i % setup.keys());
            sums[key] += i;
            checksum += sums[key];
            latencies.record(due, System.nanoTime());
        }
        schedule.finished(System.nanoTime());
        // Kept, so that the JIT cannot drop the sums as unused.
        lastChecksum = checksum;
        return recorder.result(name(), VARIANT, setup, 0);
    }
}
