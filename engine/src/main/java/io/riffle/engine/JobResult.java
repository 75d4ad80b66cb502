package io.riffle.engine;

import java.util.List;

/**
 * A finished job: how long it ran, what each operator saw (in its last attempt), how often it restarted
 * after a failure and how long recovering took in all, and how many checkpoints completed.
 */
public record JobResult(String jobName, double seconds, List<OperatorStats> operators, int restarts,
                        long checkpoints, long recoveryMillis) {
    /** Records emitted by the job's sources. */
    public long sourceRecords() {
        long n = 0;
        for (OperatorStats s : operators) {
            if (s.source()) {
                n += s.recordsOut();
            }
        }
        return n;
    }
}
