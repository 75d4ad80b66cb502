package io.riffle.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;

/**
 * L1's latency histogram (HdrHistogram, 1 ns to a minute at 3 significant digits, growing if a latency is
 * longer): sink threads add each result's latency, {@code now - scheduled_ns}, to a {@link Part} of
 * their own, so no two threads write one histogram; the parts are merged once the run is over. Records
 * whose slot is among the schedule's first {@code warmupRecords} are left out. Parts are handed out
 * thread-safely; a part is used by one thread; {@link #histogram()} and {@link #result} are for after the
 * job has ended.
 *
 * <pre>{@code
 * LatencyRecorder recorder = new LatencyRecorder(schedule, setup.warmupRecords());
 * // on a sink thread, per result record:
 * recorder.forThisThread().record(scheduledNanos, System.nanoTime());
 * // after the job:
 * LatencyRun run = recorder.result("riffle", "default", setup, checkpoints);
 * }</pre>
 */
public final class LatencyRecorder {
    private static final long HIGHEST_PRESIZED_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final int SIGNIFICANT_DIGITS = 3;

    private final PacedSchedule schedule;
    private final long warmupRecords;
    private final List<Part> parts = new ArrayList<>();
    private final ThreadLocal<Part> threadParts = ThreadLocal.withInitial(this::part);

    public LatencyRecorder(PacedSchedule schedule, long warmupRecords) {
        if (warmupRecords < 0 || warmupRecords > schedule.records()) {
            throw new IllegalArgumentException("warm-up must be 0 to " + schedule.records() + " records, not "
                    + warmupRecords);
        }
        this.schedule = schedule;
        this.warmupRecords = warmupRecords;
    }

    /** A new part, for one sink subtask's thread. */
    public synchronized Part part() {
        Part p = new Part(newHistogram());
        parts.add(p);
        return p;
    }

    /** The calling thread's part (created on its first call). */
    public Part forThisThread() {
        return threadParts.get();
    }

    /** All parts' latencies merged. */
    public synchronized Histogram histogram() {
        Histogram all = newHistogram();
        for (Part p : parts) {
            all.add(p.histogram);
        }
        return all;
    }

    /** The run's figures: the merged percentiles, the schedule's achieved rate, and {@code checkpoints}. */
    public LatencyRun result(String system, String variant, LatencySetup setup, long checkpoints) {
        Histogram h = histogram();
        return new LatencyRun(system, variant, setup.recordsPerSecond(), h.getTotalCount(), setup.parallelism(),
                schedule.achievedRecordsPerSecond(), checkpoints, h.getValueAtPercentile(50),
                h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue());
    }

    private static Histogram newHistogram() {
        Histogram h = new Histogram(1, HIGHEST_PRESIZED_NANOS, SIGNIFICANT_DIGITS);
        // A system that cannot keep up builds a backlog, and its latencies grow with it: record them all.
        h.setAutoResize(true);
        return h;
    }

    /** One thread's latencies; not thread-safe. */
    public final class Part {
        private final Histogram histogram;
        private boolean knowsWarmupEnd;
        private long warmupEndNanos;

        private Part(Histogram histogram) {
            this.histogram = histogram;
        }

        /** Adds the latency of a result whose record was scheduled at {@code scheduledNanos}, seen at {@code nowNanos}. */
        public void record(long scheduledNanos, long nowNanos) {
            if (!knowsWarmupEnd) {
                // A record exists, so a source started the schedule.
                warmupEndNanos = schedule.epochNanos() + schedule.offsetNanos(warmupRecords);
                knowsWarmupEnd = true;
            }
            // Slots' times strictly increase, so the warm-up is exactly the records scheduled before slot W's time.
            if (scheduledNanos - warmupEndNanos >= 0) {
                histogram.recordValue(nowNanos - scheduledNanos);
            }
        }
    }
}
