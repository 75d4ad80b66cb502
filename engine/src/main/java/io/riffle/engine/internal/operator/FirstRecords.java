package io.riffle.engine.internal.operator;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.SelectionVector;
import io.riffle.columnar.kernel.GatherKernel;
import io.riffle.columnar.kernel.KeyGroupRange;
import io.riffle.engine.internal.checkpoint.CorruptCheckpointException;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;

/**
 * The first record of each key of a running aggregation, by group id: the fields Flink's keyed
 * {@code sum}/{@code min}/{@code max} emit unchanged, which are the key's first record's, not the current one's.
 * Columnar and off-heap: column 0 is the key (so that a checkpoint files the rows by key group and a restore
 * finds each row's group), then the kept fields. Group ids are dense and given out in order of first
 * appearance, so rows are only ever appended and never change once written: a {@link Snapshot} holds on to
 * the buffers as they are (later appends write past its rows, or grow into new buffers and leave the held
 * ones be), so taking one copies nothing. Owned by one task's thread; a snapshot is written by the
 * checkpoint thread.
 */
final class FirstRecords implements AutoCloseable {
    private static final long MAGIC = 0x3130545352494652L; // "RFIRST01"

    private final BatchSchema schema;
    /** Per column of {@link #schema}, the input field it is copied from. */
    private final int[] inputFields;
    private final RecordBatch rows;
    private final FieldVector[] vectors;
    /** Per column, whether some row holds a null: gathers of a column without one skip its validity. */
    private final boolean[] hasNulls;
    private int size;

    /** First records of {@code input} keyed by {@code keyField}, keeping fields {@code keptFields}. */
    FirstRecords(BatchSchema input, int keyField, int[] keptFields, BufferAllocator allocator) {
        List<Column> columns = new ArrayList<>();
        inputFields = new int[keptFields.length + 1];
        inputFields[0] = keyField;
        columns.add(input.column(keyField));
        for (int k = 0; k < keptFields.length; k++) {
            inputFields[k + 1] = keptFields[k];
            columns.add(input.column(keptFields[k]));
        }
        schema = BatchSchema.of(columns);
        rows = RecordBatch.allocate(schema, allocator, 1024);
        vectors = new FieldVector[schema.columnCount()];
        for (int c = 0; c < vectors.length; c++) {
            vectors[c] = rows.vector(c);
        }
        hasNulls = new boolean[vectors.length];
    }

    /** Records held: those of groups {@code 0 .. size() - 1}. */
    int size() {
        return size;
    }

    /** Off-heap bytes of the store's buffers, as allocated. */
    long bytes() {
        long bytes = 0;
        for (FieldVector v : vectors) {
            for (ArrowBuf b : v.getFieldBuffers()) {
                bytes += b.capacity();
            }
        }
        return bytes;
    }

    /**
     * Appends the rows of {@code batch} that are their key's first, up to group {@code groupCount - 1}: a new
     * group's id is {@link #size()} at its first row, since ids follow first appearance. Allocates only when a
     * batch brings new keys.
     */
    void appendNew(RecordBatch batch, int[] groupIds, int groupCount) {
        if (groupCount == size) {
            return;
        }
        int n = batch.rowCount();
        for (int i = 0; i < n && size < groupCount; i++) {
            if (groupIds[i] != size) {
                continue;
            }
            for (int c = 0; c < vectors.length; c++) {
                FieldVector from = batch.vector(inputFields[c]);
                vectors[c].copyFromSafe(i, size, from);
                hasNulls[c] |= from.isNull(i);
            }
            size++;
        }
        rows.setRowCount(size);
    }

    /** Column {@code column}, group g's value at row g; valid until the next append. */
    FieldVector vector(int column) {
        return vectors[column];
    }

    /** Whether some record holds a null in column {@code column}. */
    boolean hasNulls(int column) {
        return hasNulls[column];
    }

    /** Writes column {@code column} of the first records of groups {@code groupIds[0 .. n)} into {@code target}'s {@code targetColumn}. */
    void gather(int column, int[] groupIds, int n, RecordBatch target, int targetColumn) {
        GatherKernel.gatherColumn(rows, column, hasNulls[column], groupIds, n, target, targetColumn);
    }

    /** The records as they are now, written later by the checkpoint thread; copies nothing. */
    Snapshot snapshot() {
        ArrowBuf[][] held = new ArrowBuf[vectors.length][];
        for (int c = 0; c < vectors.length; c++) {
            List<ArrowBuf> buffers = vectors[c].getFieldBuffers();
            held[c] = buffers.toArray(new ArrowBuf[0]);
            for (ArrowBuf b : held[c]) {
                b.getReferenceManager().retain();
            }
        }
        return new Snapshot(schema, held, size);
    }

    /** The records of groups {@code 0 .. size - 1} as they were when taken; closed once, written or not. */
    static final class Snapshot implements AutoCloseable {
        private final BatchSchema schema;
        private final ArrowBuf[][] held;
        private final int size;
        private boolean closed;

        private Snapshot(BatchSchema schema, ArrowBuf[][] held, int size) {
            this.schema = schema;
            this.held = held;
            this.size = size;
        }

        /** Writes the records by key group ({@link KeyGroupSections}) into {@code file} and syncs it; returns its size. */
        long writeTo(Path file, int maxParallelism, BufferAllocator allocator) throws IOException {
            FieldVector[] frozen = new FieldVector[held.length];
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                for (int c = 0; c < held.length; c++) {
                    frozen[c] = schema.toArrow().getFields().get(c).createVector(allocator);
                    int nulls = BitVectorHelper.getNullCount(held[c][0], size);
                    // The vector takes references of its own to the held buffers.
                    frozen[c].loadFieldBuffers(new ArrowFieldNode(size, nulls), Arrays.asList(held[c]));
                }
                RecordBatch records = RecordBatch.wrap(schema, frozen, size);
                SelectionVector all = new SelectionVector(Math.max(1, size));
                all.selectAll(size);
                long written = KeyGroupSections.write(ch, ByteBuffer.allocate(16).putLong(MAGIC)
                        .putInt(maxParallelism).putInt(size).flip());
                written += KeyGroupSections.write(ch, 0, records, all, size, 0, maxParallelism, allocator);
                ch.force(true);
                return written;
            } finally {
                for (FieldVector v : frozen) {
                    if (v != null) {
                        v.close();
                    }
                }
            }
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                for (ArrowBuf[] buffers : held) {
                    for (ArrowBuf b : buffers) {
                        b.getReferenceManager().release();
                    }
                }
            }
        }
    }

    /**
     * Restore: the records of {@code keyGroups} out of every old subtask's {@code files},
     * each put at the group its key has in {@code groupOfKey} (the restored table); every group must get exactly
     * one, or the files are a {@link CorruptCheckpointException} naming {@code operator}.
     */
    void restore(List<Path> files, KeyGroupRange keyGroups, int groupCount, GroupOfKey groupOfKey,
                 String operator, BufferAllocator allocator) throws IOException {
        if (size != 0) {
            throw new IllegalStateException(operator + ": first records restored into a store that holds some");
        }
        // Restored sections arrive in key-group order, groups in the table's order: collect, then append by group.
        List<RecordBatch> sections = new ArrayList<>();
        try {
            for (Path file : files) {
                byte[] data = StateFiles.readAll(file, "first records");
                ByteBuffer in = ByteBuffer.wrap(data);
                if (data.length < 16 || in.getLong() != MAGIC) {
                    throw new CorruptCheckpointException(file + ": not a running aggregate's first records");
                }
                in.getInt();
                in.getInt();
                KeyGroupSections.read(file, data, in, new BatchSchema[] {schema}, keyGroups, allocator,
                        (tag, section) -> {
                            SelectionVector all = new SelectionVector(Math.max(1, section.rowCount()));
                            all.selectAll(section.rowCount());
                            sections.add(GatherKernel.gather(section, all, allocator));
                        });
            }
            int[] sectionOf = new int[groupCount];
            int[] rowOf = new int[groupCount];
            Arrays.fill(sectionOf, -1);
            for (int s = 0; s < sections.size(); s++) {
                RecordBatch section = sections.get(s);
                int[] groups = groupOfKey.groups(section);
                for (int r = 0; r < section.rowCount(); r++) {
                    int g = groups[r];
                    if (g < 0 || g >= groupCount || sectionOf[g] >= 0) {
                        throw new CorruptCheckpointException(operator + ": the first records of the checkpoint do"
                                + " not match its aggregates (key " + section.vector(0).getObject(r) + ")");
                    }
                    sectionOf[g] = s;
                    rowOf[g] = r;
                }
            }
            for (int g = 0; g < groupCount; g++) {
                if (sectionOf[g] < 0) {
                    throw new CorruptCheckpointException(operator + ": the checkpoint holds no first record for "
                            + "group " + g + " of its aggregates");
                }
                RecordBatch section = sections.get(sectionOf[g]);
                for (int c = 0; c < vectors.length; c++) {
                    vectors[c].copyFromSafe(rowOf[g], g, section.vector(c));
                    hasNulls[c] |= section.vector(c).isNull(rowOf[g]);
                }
            }
            size = groupCount;
            rows.setRowCount(size);
        } finally {
            for (RecordBatch section : sections) {
                section.close();
            }
        }
    }

    /** The groups of the keys (column 0) of a batch of first records, or negative for a key not there. */
    interface GroupOfKey {
        int[] groups(RecordBatch records);
    }

    @Override
    public void close() {
        rows.close();
    }
}
