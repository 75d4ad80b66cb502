package io.riffle.scheduler;

import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

/** What a worker does in a duty cycle in which no tasklet did any work. */
public enum IdleMode {
    /** Spin on the core: the lowest hand-off latency, one core burnt per worker. */
    BUSY_SPIN,
    /** {@code Thread.yield()}: low latency while leaving the core to other runnable threads. */
    YIELDING,
    /** Spin, then yield, then park for up to 1 ms: the default on shared machines. */
    BACK_OFF;

    /** A fresh strategy; strategies keep per-thread state, so each worker gets its own. */
    IdleStrategy newStrategy() {
        switch (this) {
            case BUSY_SPIN: return new BusySpinIdleStrategy();
            case YIELDING: return new YieldingIdleStrategy();
            case BACK_OFF: return new BackoffIdleStrategy(64, 64, TimeUnit.MICROSECONDS.toNanos(1),
                    TimeUnit.MILLISECONDS.toNanos(1));
            default: throw new IllegalStateException("unknown idle mode " + this);
        }
    }
}
