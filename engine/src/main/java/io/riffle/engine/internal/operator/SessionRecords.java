package io.riffle.engine.internal.operator;

import java.io.IOException;
import java.nio.file.Path;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.SelectionVector;
import io.riffle.columnar.hash.MemoryBudgetExceededException;
import io.riffle.columnar.kernel.GatherKernel;
import io.riffle.columnar.kernel.HashKernel;
import io.riffle.columnar.kernel.KeyGroupRange;
import io.riffle.engine.ProcessWindowFunction;
import io.riffle.engine.TimeWindow;
import io.riffle.engine.internal.runtime.Output;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;

/**
 * The records of session windows handed to a {@link ProcessWindowFunction}, for {@link SessionWindowOperator}:
 * every record placed in a session is kept once, off-heap, in a {@link JoinBuffer}; a fired session
 * {@code [first, last + gap)} of a key is handed the key's records with a time in {@code [first, last]}, in
 * arrival order (a key's sessions are disjoint in time, so those are exactly the records of the session and of
 * the sessions it merged). Records of sessions let go of are dropped when the buffer has grown to twice what
 * was live after the last such sweep. Checkpointed by key group ({@link JoinState}) in a file beside the
 * sessions' own. Owned by the operator's thread.
 */
final class SessionRecords implements AutoCloseable {
    /** The fewest rows a sweep for records of sessions let go of waits for. */
    private static final int MIN_SWEEP_ROWS = 1 << 13;

    private final ProcessWindowFunction function;
    private final BatchSchema inputSchema;
    private final BatchSchema keySchema;
    private final int keyField;
    private final EventTimeField time;
    private final long gap;
    private final long budgetBytes;
    private final SelectionVector kept = new SelectionVector(1024);
    private final WindowRows windowRows = new WindowRows();
    private JoinBuffer buffer;
    private RecordWriter writer;
    private BufferAllocator allocator;
    private String operator;
    /** The fired sessions' keys (filled by the operator through {@link #keys()}), firsts and lasts. */
    private RecordBatch keys;
    private long[] firsts;
    private long[] lasts;
    private long[] hashes;
    private int[] groups;
    private int liveAfterSweep;

    SessionRecords(ProcessWindowFunction function, BatchSchema inputSchema, int keyField, EventTimeField time, long gap,
                   long budgetBytes) {
        this.function = function;
        this.inputSchema = inputSchema;
        this.keySchema = BatchSchema.of(inputSchema.column(keyField));
        this.keyField = keyField;
        this.time = time;
        this.gap = gap;
        this.budgetBytes = budgetBytes;
    }

    void open(BufferAllocator allocator, int batchSize, String operator, BatchSchema outputSchema) {
        this.allocator = allocator;
        this.operator = operator;
        buffer = new JoinBuffer(inputSchema, keyField, time, Math.max(1, gap), allocator, budgetBytes);
        writer = new RecordWriter(operator, outputSchema, allocator, batchSize);
        keys = RecordBatch.allocate(keySchema, allocator, batchSize);
        firsts = new long[batchSize];
        lasts = new long[batchSize];
        hashes = new long[batchSize];
        groups = new int[batchSize];
    }

    /** Keeps the rows of {@code batch} placed in a session ({@code sessionOf[i] >= 0}). */
    void add(RecordBatch batch, int[] sessionOf, int n) {
        kept.ensureCapacity(n);
        int[] rows = kept.rows();
        int count = 0;
        for (int i = 0; i < n; i++) {
            if (sessionOf[i] >= 0) {
                rows[count++] = i;
            }
        }
        kept.setSize(count);
        if (count == n) {
            buffer.add(batch);
        } else if (count > 0) {
            try (RecordBatch onTime = GatherKernel.gather(batch, kept, allocator)) {
                buffer.add(onTime);
            }
        }
        long bytes = buffer.bytes();
        if (bytes > budgetBytes) {
            throw new MemoryBudgetExceededException(operator + ": the sessions' records need " + bytes
                    + " bytes, more than the state budget of " + budgetBytes + " bytes; raise it with"
                    + " Environment.setStateBudget, or use reduce or aggregate, which keep one record per session",
                    bytes, budgetBytes);
        }
    }

    /** Where the operator writes the keys of the sessions to fire, {@code m <= batchSize} of them. */
    FieldVector keys(int m) {
        keys.ensureCapacity(m);
        return keys.vector(0);
    }

    long[] firsts() {
        return firsts;
    }

    long[] lasts() {
        return lasts;
    }

    /** Calls the function for the {@code m} sessions whose keys, firsts and lasts the operator filled in. */
    void fire(int m, Output out) throws Exception {
        keys.setRowCount(m);
        long from = Long.MAX_VALUE;
        long through = Long.MIN_VALUE;
        for (int r = 0; r < m; r++) {
            from = Math.min(from, firsts[r]);
            through = Math.max(through, lasts[r]);
        }
        writer.target(out);
        try (KeyedRows rows = buffer.rowsBetween(from - 1, through)) {
            if (rows.needsHashes()) {
                HashKernel.hash(keys, new int[] {0}, hashes);
            }
            rows.find(keys.vector(0), m, hashes, groups);
            for (int r = 0; r < m; r++) {
                if (groups[r] >= 0 && windowRows.point(rows, groups[r], time, firsts[r], lasts[r]) > 0) {
                    function.process(keys.value(r, 0), new TimeWindow(firsts[r], lasts[r] + gap), windowRows, writer);
                }
            }
        }
        writer.flush();
    }

    /**
     * Drops the records no session holds any more ({@code live} chooses the rest) once the buffer has doubled
     * or holds more than {@link JoinBuffer#MAX_SEGMENTS} segments (checkpoints seal one each).
     */
    void sweepIfGrown(JoinBuffer.RowSelector live) {
        if (buffer.rowCount() < 2 * liveAfterSweep + MIN_SWEEP_ROWS && buffer.segmentCount() <= JoinBuffer.MAX_SEGMENTS) {
            return;
        }
        buffer.retain(live);
        liveAfterSweep = buffer.rowCount();
    }

    /** The records as they are, for a checkpoint: the buffer's segments, shared until written. */
    JoinBuffer.Snapshot snapshot() {
        return buffer.snapshot();
    }

    /** Adds the records of key groups {@code range} out of an old subtask's records file. */
    void restore(Path stateFile, KeyGroupRange range) throws IOException {
        JoinState.read(JoinState.recordsFile(stateFile), range.first(), range.endExclusive(), new JoinBuffer[] {buffer},
                allocator);
        liveAfterSweep = buffer.rowCount();
    }

    @Override
    public void close() {
        if (buffer != null) {
            buffer.close();
        }
        if (writer != null) {
            writer.close();
        }
        if (keys != null) {
            keys.close();
        }
    }
}
