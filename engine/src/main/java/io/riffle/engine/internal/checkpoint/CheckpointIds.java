package io.riffle.engine.internal.checkpoint;

import java.util.concurrent.atomic.AtomicLong;

/** Checkpoint numbers of a job, rising across its restarts (and past those already in its directory). */
public final class CheckpointIds {
    private final AtomicLong next;

    public CheckpointIds(long first) {
        this.next = new AtomicLong(first);
    }

    long next() {
        return next.getAndIncrement();
    }
}
