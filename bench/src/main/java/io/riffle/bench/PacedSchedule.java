package io.riffle.bench;

/**
 * When each record of an L1 run is due: slot {@code i} of {@code 0 .. records - 1} at
 * {@code epoch + i * 1e9 / recordsPerSecond} ns (rounded down), on the {@link System#nanoTime()} clock. The
 * epoch is one for the whole run: the first source subtask to {@link #start()} fixes it, and the others
 * (and readers restored after a failure) take the same, so all subtasks pace one global schedule. A record's
 * latency counts from its slot's time, not from when its source got it out, so a source that falls behind
 * shows its delay (no coordinated omission). Thread-safe.
 *
 * <pre>{@code
 * PacedSchedule schedule = new PacedSchedule(1_000_000, 60_000_000);
 * long epoch = schedule.start();
 * long due = epoch + schedule.offsetNanos(i);
 * }</pre>
 */
public final class PacedSchedule {
    /** The most records a schedule takes: {@code i * 1e9} must fit in a long. */
    public static final long MAX_RECORDS = Long.MAX_VALUE / 1_000_000_000L;
    /** The highest rate: above one record per nanosecond two slots would share a time. */
    public static final long MAX_RATE = 1_000_000_000L;

    private final long recordsPerSecond;
    private final long records;
    private boolean started;
    private long epochNanos;
    private boolean anyFinished;
    private long lastEmitNanos;

    public PacedSchedule(long recordsPerSecond, long records) {
        if (recordsPerSecond < 1 || recordsPerSecond > MAX_RATE) {
            throw new IllegalArgumentException("a paced schedule needs a rate of 1 to " + MAX_RATE
                    + " records per second (one per nanosecond at most), not " + recordsPerSecond);
        }
        if (records < 0 || records > MAX_RECORDS) {
            throw new IllegalArgumentException("a paced schedule takes 0 to " + MAX_RECORDS + " records, not "
                    + records);
        }
        this.recordsPerSecond = recordsPerSecond;
        this.records = records;
    }

    public long recordsPerSecond() {
        return recordsPerSecond;
    }

    public long records() {
        return records;
    }

    /** The epoch: fixed now by the first call, the same for every later one. */
    public synchronized long start() {
        if (!started) {
            epochNanos = System.nanoTime();
            started = true;
        }
        return epochNanos;
    }

    /** The epoch that {@link #start()} fixed; only once a source subtask started. */
    public synchronized long epochNanos() {
        if (!started) {
            throw new IllegalStateException("no source subtask started this schedule yet");
        }
        return epochNanos;
    }

    /** How long after the epoch slot {@code i} is due, in nanoseconds; strictly increasing in {@code i}. */
    public long offsetNanos(long i) {
        return i * 1_000_000_000L / recordsPerSecond;
    }

    /** A source subtask emitted its last record at {@code nanos}. */
    public synchronized void finished(long nanos) {
        if (!anyFinished || nanos > lastEmitNanos) {
            lastEmitNanos = nanos;
            anyFinished = true;
        }
    }

    /**
     * The rate the sources achieved: all records over the time from the epoch to the last subtask's last
     * record. At most a hair above the target rate (the last slot is due {@code (records - 1) / rate}
     * after the epoch); below it when the sources fell behind. 0 before any subtask finished.
     */
    public synchronized double achievedRecordsPerSecond() {
        if (!anyFinished || lastEmitNanos <= epochNanos) {
            return 0;
        }
        return records * 1e9 / (lastEmitNanos - epochNanos);
    }
}
