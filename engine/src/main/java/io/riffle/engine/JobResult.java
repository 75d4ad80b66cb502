package io.riffle.engine;

import java.util.List;

/**
 * A finished job: how long it ran, what each operator saw (in its last attempt), how often it restarted
 * after a failure and how long recovering took in all, how many checkpoints completed, and how many failed
 * and why the last one did ({@code lastCheckpointFailure}: {@code checkpoint 5: ...}, null when none failed).
 */
public record JobResult(String jobName, double seconds, List<OperatorStats> operators, int restarts,
                        long checkpoints, long recoveryMillis, long failedCheckpoints, String lastCheckpointFailure) {
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
