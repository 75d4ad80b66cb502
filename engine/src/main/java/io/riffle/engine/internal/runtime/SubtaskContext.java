package io.riffle.engine.internal.runtime;

import io.riffle.columnar.kernel.KeyGroupRange;
import io.riffle.columnar.kernel.KeyGroups;
import io.riffle.engine.connector.TaskContext;
import java.util.Objects;
import org.apache.arrow.memory.BufferAllocator;

/**
 * What the runtime gives each operator of a subtask ({@link Operator#open}) and each source or sink it
 * runs: the public {@link TaskContext} plus the operator's id (side outputs and state are filed under it),
 * where end-of-input commits go, the job's number of key groups (which keyed state is filed by) and the
 * operator's metrics. Build one with {@link #builder}.
 */
public record SubtaskContext(String operatorName, int subtask, int parallelism, BufferAllocator allocator,
                             int batchSize, int uid, FinalCommits finalCommits, int maxParallelism,
                             OperatorMetrics metrics) implements TaskContext {
    public SubtaskContext {
        Objects.requireNonNull(operatorName, "operatorName");
        Objects.requireNonNull(allocator, "allocator");
        Objects.requireNonNull(finalCommits, "finalCommits");
        Objects.requireNonNull(metrics, "metrics");
        KeyGroups.check(maxParallelism, parallelism);
        if (subtask < 0 || subtask >= parallelism) {
            throw new IllegalArgumentException("subtask " + subtask + " is outside [0, " + parallelism + ")");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
    }

    /** The key groups this subtask owns. */
    public KeyGroupRange keyGroups() {
        return KeyGroupRange.ofPartition(subtask, maxParallelism, parallelism);
    }

    /**
     * A context for operator {@code operatorName}: subtask 0 of 1, batches of 1024 rows, id 0, the largest
     * number of key groups, its own metrics and final commits, unless set otherwise.
     */
    public static Builder builder(String operatorName, BufferAllocator allocator) {
        return new Builder(operatorName, allocator);
    }

    /** Builds a {@link SubtaskContext}; every setting has the default {@link #builder} names. */
    public static final class Builder {
        private final String operatorName;
        private final BufferAllocator allocator;
        private int subtask;
        private int parallelism = 1;
        private int batchSize = 1024;
        private int uid;
        private FinalCommits finalCommits;
        private int maxParallelism = KeyGroups.MAX_KEY_GROUPS;
        private OperatorMetrics metrics;

        private Builder(String operatorName, BufferAllocator allocator) {
            this.operatorName = operatorName;
            this.allocator = allocator;
        }

        /** Subtask {@code subtask} of {@code parallelism}. */
        public Builder subtask(int subtask, int parallelism) {
            this.subtask = subtask;
            this.parallelism = parallelism;
            return this;
        }

        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** The operator's id in the plan (its transformation id). */
        public Builder uid(int uid) {
            this.uid = uid;
            return this;
        }

        public Builder finalCommits(FinalCommits finalCommits) {
            this.finalCommits = finalCommits;
            return this;
        }

        public Builder maxParallelism(int maxParallelism) {
            this.maxParallelism = maxParallelism;
            return this;
        }

        public Builder metrics(OperatorMetrics metrics) {
            this.metrics = metrics;
            return this;
        }

        public SubtaskContext build() {
            return new SubtaskContext(operatorName, subtask, parallelism, allocator, batchSize, uid,
                    finalCommits != null ? finalCommits : new FinalCommits(),
                    maxParallelism, metrics != null ? metrics : new OperatorMetrics(operatorName, parallelism, false));
        }
    }
}
