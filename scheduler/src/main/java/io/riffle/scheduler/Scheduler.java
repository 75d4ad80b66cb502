package io.riffle.scheduler;

/**
 * A fixed set of {@link Worker} threads running {@link Tasklet}s. Tasklets can be submitted and
 * cancelled while the workers run. {@link #close()} stops every worker within the configured timeout,
 * closing the tasklets still running. Thread-safe.
 *
 * <pre>{@code
 * try (Scheduler scheduler = new Scheduler(SchedulerConfig.defaults().withWorkers(2))) {
 *     TaskletHandle a = scheduler.submit(producer);
 *     TaskletHandle b = scheduler.submit(consumer);
 *     CompletableFuture.allOf(a.done(), b.done()).join();
 * }
 * }</pre>
 */
public final class Scheduler implements AutoCloseable {
    private final SchedulerConfig config;
    private final Worker[] workers;
    private boolean closed;

    public Scheduler(SchedulerConfig config) {
        this.config = config;
        this.workers = new Worker[config.workers()];
        for (int i = 0; i < workers.length; i++) {
            int cpu = config.pinCpus() == null ? -1 : config.pinCpus()[i];
            workers[i] = new Worker(i, config.idleMode(), config.failureListener(), cpu);
        }
        for (Worker w : workers) {
            w.start();
        }
    }

    public int workerCount() {
        return workers.length;
    }

    public Worker worker(int index) {
        return workers[index];
    }

    /** Runs {@code tasklet} on the worker with the fewest tasklets. */
    public TaskletHandle submit(Tasklet tasklet) {
        Worker least = workers[0];
        for (Worker w : workers) {
            if (w.taskletCount() < least.taskletCount()) {
                least = w;
            }
        }
        return submit(tasklet, least.index());
    }

    /** Runs {@code tasklet} on worker {@code worker}. */
    public synchronized TaskletHandle submit(Tasklet tasklet, int worker) {
        if (closed) {
            throw new IllegalStateException("scheduler is closed; cannot run tasklet '" + tasklet.name() + "'");
        }
        if (worker < 0 || worker >= workers.length) {
            throw new IllegalArgumentException("worker " + worker + " does not exist; there are " + workers.length);
        }
        TaskletHandle handle = new TaskletHandle(tasklet, workers[worker]);
        workers[worker].add(handle);
        return handle;
    }

    /**
     * Stops every worker; tasklets still running are closed and their futures cancelled. Throws if a
     * worker has not stopped within the shutdown timeout (a tasklet that blocks), naming it.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (Worker w : workers) {
            w.stop();
        }
        long deadline = System.nanoTime() + config.shutdownTimeout().toNanos();
        StringBuilder stuck = new StringBuilder();
        try {
            for (Worker w : workers) {
                if (!w.awaitStop(Math.max(0, deadline - System.nanoTime()))) {
                    stuck.append(stuck.length() == 0 ? "" : "; ").append(w.thread().getName())
                            .append(" is still in tasklet '").append(w.currentTaskletName()).append('\'');
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the workers", e);
        }
        if (stuck.length() > 0) {
            throw new IllegalStateException("workers did not stop within " + config.shutdownTimeout().toMillis()
                    + " ms (a tasklet must never block): " + stuck);
        }
    }
}
