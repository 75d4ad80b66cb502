package io.riffle.engine;

import java.util.List;

/** A finished job: how long it ran and what each operator saw. */
public record JobResult(String jobName, double seconds, List<OperatorStats> operators) {
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
