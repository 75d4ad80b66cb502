package io.riffle.scheduler;

import java.time.Duration;

/**
 * How a {@link Scheduler} runs: the number of workers, what they do when idle, which cores they are
 * pinned to ({@code null}: not pinned), who hears of tasklet failures, and how long shutdown may take.
 *
 * <pre>{@code
 * SchedulerConfig config = SchedulerConfig.defaults().withWorkers(4).withIdleMode(IdleMode.BUSY_SPIN).pinned();
 * }</pre>
 */
public record SchedulerConfig(int workers, IdleMode idleMode, int[] pinCpus, TaskletFailureListener failureListener,
                              Duration shutdownTimeout) {

    public SchedulerConfig {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1: " + workers);
        }
        if (pinCpus != null && pinCpus.length < workers) {
            throw new IllegalArgumentException(workers + " workers but only " + pinCpus.length + " cpus to pin them to");
        }
        if (shutdownTimeout.isNegative() || shutdownTimeout.isZero()) {
            throw new IllegalArgumentException("shutdown timeout must be positive: " + shutdownTimeout);
        }
        pinCpus = pinCpus == null ? null : pinCpus.clone();
    }

    /** One worker per core, back-off idling, not pinned, failures only logged (by the worker), 5 s to shut down. */
    public static SchedulerConfig defaults() {
        return new SchedulerConfig(Runtime.getRuntime().availableProcessors(), IdleMode.BACK_OFF, null,
                (name, cause) -> { },
                Duration.ofSeconds(5));
    }

    public SchedulerConfig withWorkers(int n) {
        return new SchedulerConfig(n, idleMode, pinCpus, failureListener, shutdownTimeout);
    }

    public SchedulerConfig withIdleMode(IdleMode mode) {
        return new SchedulerConfig(workers, mode, pinCpus, failureListener, shutdownTimeout);
    }

    /** Pins worker {@code i} to core {@code i}. */
    public SchedulerConfig pinned() {
        int[] cpus = new int[workers];
        for (int i = 0; i < workers; i++) {
            cpus[i] = i;
        }
        return withPinCpus(cpus);
    }

    /** Pins worker {@code i} to core {@code cpus[i]}. */
    public SchedulerConfig withPinCpus(int... cpus) {
        return new SchedulerConfig(workers, idleMode, cpus, failureListener, shutdownTimeout);
    }

    public SchedulerConfig withFailureListener(TaskletFailureListener listener) {
        return new SchedulerConfig(workers, idleMode, pinCpus, listener, shutdownTimeout);
    }

    public SchedulerConfig withShutdownTimeout(Duration timeout) {
        return new SchedulerConfig(workers, idleMode, pinCpus, failureListener, timeout);
    }
}
