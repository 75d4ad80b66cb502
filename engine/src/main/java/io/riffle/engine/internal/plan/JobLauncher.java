package io.riffle.engine.internal.plan;

import java.nio.file.Path;
import java.time.Duration;

import io.riffle.columnar.kernel.KeyGroups;
import io.riffle.engine.Environment;
import io.riffle.engine.FailureInjector;
import io.riffle.engine.RestartStrategy;
import io.riffle.engine.connector.TwoPhaseCommitSink;
import io.riffle.engine.internal.checkpoint.CheckpointConfig;
import io.riffle.engine.internal.checkpoint.CheckpointStorage;
import io.riffle.engine.internal.runtime.JobRun;
import io.riffle.engine.internal.runtime.RestoreConfig;
import io.riffle.engine.internal.runtime.RuntimeConfig;
import io.riffle.scheduler.IdleMode;

import org.jspecify.annotations.Nullable;

/**
 * Starts an {@link Environment}'s jobs: holds the settings they run with, each checked when it is set so that
 * a wrong one fails at its setter, and turns the program's graph into a running {@link JobRun}. Not
 * thread-safe: a program is built from one thread.
 */
public final class JobLauncher {
    private int parallelism = Runtime.getRuntime().availableProcessors();
    private int maxParallelism = Environment.DEFAULT_MAX_PARALLELISM;
    private int workers = Runtime.getRuntime().availableProcessors();
    private IdleMode idleMode = IdleMode.BACK_OFF;
    private boolean pinned;
    private int batchSize = 4096;
    private int channelCapacity = 8;
    /** Where checkpoints go; null: the job takes none. */
    private @Nullable Path checkpointDirectory;
    private Duration checkpointInterval = Duration.ZERO;
    private Duration checkpointTimeout = Duration.ofMinutes(1);
    private int checkpointsRetained = 3;
    private int tolerableCheckpointFailures = CheckpointConfig.UNLIMITED_FAILURES;
    /** Null: the default of {@link #start}, which depends on whether the job checkpoints. */
    private @Nullable RestartStrategy restartStrategy;
    /** The checkpoint or checkpoint directory the next job restores; null: it starts from the beginning. */
    private @Nullable Path restoreFrom;
    private boolean allowDuplicatesOnFallback;
    /** The testing aid of {@link Environment#injectFailures}; null: no failures are injected. */
    private @Nullable FailureInjector failureInjector;

    public void setParallelism(int parallelism) {
        if (parallelism < 1 || parallelism > KeyGroups.MAX_KEY_GROUPS) {
            throw new IllegalArgumentException("parallelism must be between 1 and " + KeyGroups.MAX_KEY_GROUPS
                    + ", not " + parallelism);
        }
        this.parallelism = parallelism;
    }

    public int parallelism() {
        return parallelism;
    }

    public void setMaxParallelism(int maxParallelism) {
        KeyGroups.check(maxParallelism, 1);
        this.maxParallelism = maxParallelism;
    }

    public int maxParallelism() {
        return maxParallelism;
    }

    public void setWorkers(int workers) {
        this.workers = RuntimeConfig.checkWorkers(workers);
    }

    public void setIdleMode(IdleMode idleMode) {
        this.idleMode = idleMode;
    }

    public void setPinWorkers(boolean pinned) {
        this.pinned = pinned;
    }

    public void setBatchSize(int batchSize) {
        this.batchSize = RuntimeConfig.checkBatchSize(batchSize);
    }

    public void setChannelCapacity(int capacity) {
        this.channelCapacity = RuntimeConfig.checkChannelCapacity(capacity);
    }

    /** Checkpoints into {@code directory} every {@code interval}; the caller checked that the job may take them. */
    public void enableCheckpointing(Duration interval, Path directory) {
        this.checkpointInterval = interval;
        this.checkpointDirectory = directory;
    }

    public void setCheckpointTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("a checkpoint timeout must be positive: " + timeout);
        }
        this.checkpointTimeout = timeout;
    }

    public void setCheckpointsRetained(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("at least 1 checkpoint must be retained, not " + count);
        }
        this.checkpointsRetained = count;
    }

    public void setTolerableCheckpointFailures(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("tolerable checkpoint failures must not be negative: " + count);
        }
        this.tolerableCheckpointFailures = count;
    }

    public void setRestartStrategy(RestartStrategy strategy) {
        this.restartStrategy = strategy;
    }

    public void setRestoreFrom(Path directory) {
        this.restoreFrom = directory;
    }

    public void allowDuplicatesOnFallback() {
        this.allowDuplicatesOnFallback = true;
    }

    public void injectFailures(FailureInjector injector) {
        this.failureInjector = injector;
    }

    /**
     * Plans the program's sinks ({@code graph}) and starts them as a job under these settings; the sinks are
     * the job's from then on, so the next job starts with none. Checks, before anything of the job is built,
     * that its channels fit the heap and that a job that checkpoints or restores can rewind its sources and
     * resume its sinks.
     */
    public JobRun start(String jobName, StreamGraph graph) {
        PhysicalPlan plan = graph.plan(parallelism, maxParallelism);
        ChannelBudget.check(plan, channelCapacity, Runtime.getRuntime().maxMemory());
        graph.clearSinks();
        RuntimeConfig config = new RuntimeConfig(workers, idleMode, pinned, channelCapacity, batchSize, maxParallelism);
        @Nullable CheckpointConfig checkpoints = null;
        if (checkpointDirectory != null) {
            checkRewindable(plan);
            checkCommitInterval(plan, checkpointInterval);
            checkpoints = new CheckpointConfig(new CheckpointStorage(checkpointDirectory, checkpointsRetained),
                    checkpointInterval, checkpointTimeout, tolerableCheckpointFailures);
        } else if (restoreFrom != null) {
            checkRewindable(plan);
        }
        RestartStrategy restart = restartStrategy != null ? restartStrategy : checkpoints != null
                ? RestartStrategy.exponentialBackoff(10, Duration.ofMillis(100), Duration.ofSeconds(10))
                : RestartStrategy.none();
        return JobRun.start(jobName, plan, config, checkpoints, restart,
                new RestoreConfig(restoreFrom, allowDuplicatesOnFallback), failureInjector);
    }

    /** Each two-phase-commit sink checks that it can hold its output for {@code interval} before a commit. */
    private static void checkCommitInterval(PhysicalPlan plan, Duration interval) {
        for (Vertex v : plan.vertices()) {
            for (Transformation t : v.chain()) {
                if (t.kind() == Transformation.Kind.SINK && t.sink() instanceof TwoPhaseCommitSink s) {
                    s.checkCheckpointInterval(interval);
                }
            }
        }
    }

    private static void checkRewindable(PhysicalPlan plan) {
        for (Vertex v : plan.vertices()) {
            if (v.source() != null && !v.source().isRewindable()) {
                throw new IllegalStateException("source '" + v.sourceName() + "' cannot be rewound, so the job"
                        + " cannot checkpoint or restore: its readers cannot say where they are");
            }
            for (Transformation t : v.chain()) {
                if (t.kind() == Transformation.Kind.SINK && !t.sink().keepsRowsOnRestore()) {
                    throw new IllegalStateException("sink '" + t.sink().name() + "' cannot resume its file after a"
                            + " restore, so a job that checkpoints would lose its rows; write with writeCsv or"
                            + " TransactionalCsvSink, or run without checkpoints");
                }
            }
        }
    }
}
