package io.riffle.engine.internal.runtime;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Records in and out of one operator, and records it dropped (late), per subtask. Each subtask writes only its own cells (one writer
 * per cell, so lazySet suffices); any thread may read a snapshot while the job runs.
 */
public final class OperatorMetrics {
    private final String name;
    private final int parallelism;
    private final boolean source;
    // Cells 16 longs apart so that subtasks on different cores do not share a cache line.
    private static final int STRIDE = 16;
    private final AtomicLongArray cells;

    public OperatorMetrics(String name, int parallelism, boolean source) {
        this.name = name;
        this.parallelism = parallelism;
        this.source = source;
        this.cells = new AtomicLongArray(parallelism * STRIDE);
    }

    public String name() {
        return name;
    }

    public int parallelism() {
        return parallelism;
    }

    /** True for a source, whose records out are the job's input. */
    public boolean isSource() {
        return source;
    }

    void addIn(int subtask, long records) {
        int i = subtask * STRIDE;
        cells.lazySet(i, cells.get(i) + records);
    }

    void addOut(int subtask, long records) {
        int i = subtask * STRIDE + 1;
        cells.lazySet(i, cells.get(i) + records);
    }

    /** Subtask {@code subtask} dropped {@code records} records (late for every window they belong to). */
    public void addDropped(int subtask, long records) {
        int i = subtask * STRIDE + 2;
        cells.lazySet(i, cells.get(i) + records);
    }

    public long recordsIn() {
        return sum(0);
    }

    public long recordsOut() {
        return sum(1);
    }

    public long recordsDropped() {
        return sum(2);
    }

    private long sum(int cell) {
        long sum = 0;
        for (int s = 0; s < parallelism; s++) {
            sum += cells.get(s * STRIDE + cell);
        }
        return sum;
    }
}
