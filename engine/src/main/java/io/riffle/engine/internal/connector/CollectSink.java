package io.riffle.engine.internal.connector;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.Tuple;
import io.riffle.engine.connector.TaskContext;
import io.riffle.engine.connector.TwoPhaseCommitSink;
import io.riffle.engine.connector.TwoPhaseCommitWriter;

/**
 * Adds every record, as a {@link Tuple}, to a caller's list, exactly once: each subtask keeps its records
 * until a checkpoint covers them (or the job has ended) and they are committed into the list under its
 * lock. After a failure, records staged but not committed are dropped and come again from the restored
 * sources. Staged records live in this object, so exactly-once holds within one process.
 */
public final class CollectSink implements TwoPhaseCommitSink {
    private final List<Tuple> target;
    private final Map<Long, List<Tuple>> staged = new HashMap<>();
    private final AtomicLong stages = new AtomicLong();

    public CollectSink(List<Tuple> target) {
        this.target = target;
    }

    @Override
    public String name() {
        return "collect";
    }

    @Override
    public TwoPhaseCommitWriter createWriter(BatchSchema schema, TaskContext context) {
        return new TwoPhaseCommitWriter() {
            private List<Tuple> buffer = new ArrayList<>();
            /** This writer's stages not known to be committed, oldest first. */
            private final List<Long> open = new ArrayList<>();

            @Override
            public void write(RecordBatch batch) {
                int n = batch.rowCount();
                Object[] values = new Object[batch.columnCount()];
                for (int row = 0; row < n; row++) {
                    for (int c = 0; c < values.length; c++) {
                        values[c] = batch.value(row, c);
                    }
                    buffer.add(Tuple.of(values));
                }
            }

            /**
             * Names every stage of this writer not committed yet, not only the new one: a checkpoint that
             * was aborted never committed its stage, and the next complete one must.
             */
            @Override
            public byte[] prepareCommit(long checkpointId) {
                synchronized (staged) {
                    if (!buffer.isEmpty()) {
                        long stage = stages.incrementAndGet();
                        staged.put(stage, buffer);
                        open.add(stage);
                        buffer = new ArrayList<>();
                    }
                    open.removeIf(stage -> !staged.containsKey(stage));
                }
                if (open.isEmpty()) {
                    return null;
                }
                ByteBuffer out = ByteBuffer.allocate(8 * open.size());
                for (long stage : open) {
                    out.putLong(stage);
                }
                return out.array();
            }

            @Override
            public void finish() {
            }

            @Override
            public void close() {
            }
        };
    }

    /** A committable is a list of stage numbers; one that is not (a damaged or forged one) commits nothing. */
    @Override
    public void commit(List<byte[]> committables) {
        for (byte[] c : committables) {
            if (c.length % Long.BYTES != 0) {
                throw new IllegalArgumentException("a committable of " + c.length + " bytes is not a list of stages");
            }
        }
        synchronized (target) {
            for (byte[] c : committables) {
                ByteBuffer stagesOf = ByteBuffer.wrap(c);
                while (stagesOf.hasRemaining()) {
                    List<Tuple> rows;
                    synchronized (staged) {
                        rows = staged.remove(stagesOf.getLong());
                    }
                    if (rows != null) {
                        target.addAll(rows);
                    }
                }
            }
        }
    }

    @Override
    public void abortUncommitted() {
        synchronized (staged) {
            staged.clear();
        }
    }
}
