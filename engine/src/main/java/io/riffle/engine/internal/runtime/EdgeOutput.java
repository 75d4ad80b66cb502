package io.riffle.engine.internal.runtime;

import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.SelectionVector;
import io.riffle.columnar.kernel.GatherKernel;
import io.riffle.columnar.kernel.HashKernel;
import io.riffle.columnar.kernel.PartitionScatter;

/**
 * The end of a chain on one outgoing edge: copies each emitted batch into batches owned by the channels
 * to the next subtasks, which a batch must be since the emitter reuses its own. Subclasses choose the
 * channel: the same subtask, round robin, or by key group.
 */
abstract class EdgeOutput implements Output {
    final ChannelWriter[] writers;
    final SelectionVector selection = new SelectionVector(1024);

    EdgeOutput(ChannelWriter[] writers) {
        this.writers = writers;
    }

    final void copyTo(ChannelWriter writer, RecordBatch batch, SelectionVector rows) {
        RecordBatch target = writer.acquire();
        try {
            GatherKernel.gather(batch, rows, target);
        } catch (RuntimeException e) {
            target.close();
            throw e;
        }
        writer.send(target);
    }

    /** Every downstream subtask gets the watermark: event time is per subtask, not per key. */
    @Override
    public final void emitWatermark(long watermark) {
        for (ChannelWriter w : writers) {
            w.sendWatermark(watermark);
        }
    }

    /** The whole (dense) batch, one bulk copy per column. */
    final void copyAll(ChannelWriter writer, RecordBatch batch) {
        RecordBatch target = writer.acquire();
        try {
            int n = batch.rowCount();
            target.ensureCapacity(n);
            for (int c = 0; c < batch.columnCount(); c++) {
                GatherKernel.copyRows(batch, c, n, target, c);
            }
            target.setRowCount(n);
            target.select(null);
        } catch (RuntimeException e) {
            target.close();
            throw e;
        }
        writer.send(target);
    }

    /** To the one downstream subtask this edge connects (equal parallelism, not chained). */
    static final class Forward extends EdgeOutput {
        Forward(ChannelWriter writer) {
            super(new ChannelWriter[] {writer});
        }

        @Override
        public void emit(RecordBatch batch) {
            if (batch.rowCount() > 0) {
                copyAll(writers[0], batch);
            }
        }
    }

    /** Every batch to every downstream subtask. */
    static final class Broadcast extends EdgeOutput {
        Broadcast(ChannelWriter[] writers) {
            super(writers);
        }

        @Override
        public void emit(RecordBatch batch) {
            if (batch.rowCount() > 0) {
                for (ChannelWriter w : writers) {
                    copyAll(w, batch);
                }
            }
        }
    }

    /** Whole batches to the downstream subtasks in turn. */
    static final class Rebalance extends EdgeOutput {
        private int next;

        Rebalance(ChannelWriter[] writers, int start) {
            super(writers);
            this.next = start % writers.length;
        }

        @Override
        public void emit(RecordBatch batch) {
            if (batch.rowCount() > 0) {
                copyAll(writers[next], batch);
                next = next + 1 == writers.length ? 0 : next + 1;
            }
        }
    }

    /** Each row to the subtask owning its key's key group: hash, count per partition, gather per partition. */
    static final class Hash extends EdgeOutput {
        private final int[] keyColumns;
        private final PartitionScatter scatter;
        private long[] hashes = new long[1024];

        Hash(ChannelWriter[] writers, int keyField, int maxParallelism) {
            super(writers);
            this.keyColumns = new int[] {keyField};
            this.scatter = new PartitionScatter(writers.length, maxParallelism);
        }

        @Override
        public void emit(RecordBatch batch) {
            int n = batch.rowCount();
            if (n == 0) {
                return;
            }
            if (hashes.length < n) {
                hashes = new long[Math.max(n, hashes.length * 2)];
            }
            HashKernel.hash(batch, keyColumns, hashes);
            scatter.assign(hashes, n, null);
            for (int p = 0; p < writers.length; p++) {
                if (scatter.rowCount(p) > 0) {
                    scatter.selection(p, selection);
                    copyTo(writers[p], batch, selection);
                }
            }
        }
    }
}
