package io.riffle.bench;

import java.time.Duration;

/**
 * An L1 run: a source paced at {@code recordsPerSecond} over all subtasks for {@code records} records of
 * the brief's data ({@code key = i mod keys}), keyBy(key).sum(value), a checkpoint every
 * {@code checkpointInterval}; each record's latency is the time from when the pacing schedules it to when
 * the sink sees its result row. The first {@code warmupRecords} are left out of the histogram.
 */
public record LatencySetup(long recordsPerSecond, long records, long warmupRecords, long keys, int parallelism,
                           Duration checkpointInterval) {
    public LatencySetup {
        if (recordsPerSecond < 1 || records < 1 || warmupRecords < 0 || warmupRecords >= records || keys < 1
                || parallelism < 1) {
            throw new IllegalArgumentException("an L1 run needs a rate, records > warm-up records >= 0, keys and"
                    + " parallelism of at least 1, not rate " + recordsPerSecond + ", records " + records
                    + ", warm-up " + warmupRecords + ", keys " + keys + ", parallelism " + parallelism);
        }
        if (checkpointInterval.isNegative() || checkpointInterval.isZero()) {
            throw new IllegalArgumentException("L1 is measured with checkpoints running: the checkpoint interval must"
                    + " be positive, not " + checkpointInterval.toMillis() + " ms");
        }
    }
}
