package io.riffle.scheduler;

import java.util.concurrent.CompletableFuture;

/**
 * A submitted tasklet: its {@link #done()} future completes normally when the tasklet returns
 * {@link Tasklet#DONE}, exceptionally with its exception when it fails, and is cancelled when the
 * tasklet is cancelled. In every case {@link Tasklet#onClose()} has run before the future completes.
 * Thread-safe.
 */
public final class TaskletHandle {
    final Tasklet tasklet;
    final Worker worker;
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    TaskletHandle(Tasklet tasklet, Worker worker) {
        this.tasklet = tasklet;
        this.worker = worker;
    }

    public String name() {
        return tasklet.name();
    }

    /** The index of the worker running the tasklet. */
    public int worker() {
        return worker.index();
    }

    public CompletableFuture<Void> done() {
        return done;
    }

    /** Asks the worker to stop running the tasklet; {@link #done()} is cancelled once it has stopped. */
    public void cancel() {
        worker.cancel(this);
    }

    CompletableFuture<Void> future() {
        return done;
    }
}
