package io.riffle.engine.internal.operator;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.RecordBatchBuilder;
import io.riffle.columnar.hash.GroupBySpec;
import io.riffle.columnar.hash.OffHeapHashTable;
import io.riffle.columnar.kernel.KeyGroupRange;
import io.riffle.columnar.kernel.KeyGroups;
import io.riffle.engine.Tuple;
import io.riffle.engine.internal.checkpoint.CorruptCheckpointException;
import io.riffle.engine.internal.runtime.OperatorSnapshot;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;

/**
 * One record per key, for the operators that run user functions: an off-heap table gives each key an id (in
 * order of first appearance), and {@link ReducedRecords} holds the records by id with their keys' key groups,
 * shared copy-on-write with a checkpoint and written by key group. A restore re-inserts the keys of the
 * records it reads, so ids and records line up again. Owned by one task's thread.
 */
final class KeyedRecords implements AutoCloseable {
    private final BatchSchema keySchema;
    private final OffHeapHashTable keys;
    private final ReducedRecords records = new ReducedRecords();
    private final GroupLookup lookup = new GroupLookup(0);
    private final BufferAllocator allocator;
    private final int maxParallelism;

    KeyedRecords(Column key, BufferAllocator allocator, long budgetBytes, int maxParallelism) {
        this.keySchema = BatchSchema.of(key);
        this.keys = new OffHeapHashTable(GroupBySpec.of(keySchema, 0), allocator, budgetBytes);
        this.allocator = allocator;
        this.maxParallelism = maxParallelism;
    }

    /**
     * The id of the key of each row of {@code batch} (field {@code keyField}); a key seen for the first time gets
     * the next id, {@link #size()}, and its record must be {@link #add}ed before the next new key's.
     */
    int[] ids(RecordBatch batch, int keyField) {
        // A view of the key column alone (never closed: the vector stays the batch's).
        RecordBatch keyColumn = RecordBatch.wrap(keySchema, new FieldVector[] {batch.vector(keyField)},
                batch.rowCount());
        return lookup.groupIds(keyColumn, keys);
    }

    /** The key group of row {@code row}'s key in the last {@link #ids} call. */
    int keyGroupOfRow(int row) {
        return KeyGroups.keyGroup(lookup.hashes()[row], maxParallelism);
    }

    int size() {
        return records.size();
    }

    Tuple get(int id) {
        return records.get(id);
    }

    int keyGroup(int id) {
        return records.keyGroup(id);
    }

    void add(Tuple record, int keyGroup) {
        records.add(record, keyGroup);
    }

    void set(int id, Tuple record) {
        records.set(id, record);
    }

    ReducedRecords.Snapshot snapshot() {
        return records.snapshot();
    }

    /** A checkpoint of the records as they are now (pages shared copy-on-write), written by key group as {@code schema}. */
    OperatorSnapshot checkpoint(BatchSchema schema) {
        ReducedRecords.Snapshot snapshot = records.snapshot();
        return new OperatorSnapshot() {
            @Override
            public long writeTo(Path file) throws IOException {
                return snapshot.writeTo(file, schema, maxParallelism);
            }

            @Override
            public void close() {
            }
        };
    }

    /**
     * Restore: the records of {@code schema} that {@code keep} accepts, of {@code keyGroups}, out of
     * every file, appended in file order with their keys (field {@code keyField}) inserted; a key found twice
     * (files of different checkpoints mixed) is a {@link CorruptCheckpointException} naming {@code operator}.
     */
    void restore(List<Path> files, BatchSchema schema, int keyField, KeyGroupRange keyGroups, Predicate<Tuple> keep,
                 String operator, int batchSize) throws IOException {
        List<Tuple> restored = new ArrayList<>();
        List<Integer> restoredKeyGroups = new ArrayList<>();
        for (Path file : files) {
            ReducedRecords.read(file, schema, keyGroups, (record, keyGroup) -> {
                if (keep.test(record)) {
                    restored.add(record);
                    restoredKeyGroups.add(keyGroup);
                }
            });
        }
        int[] ids = idsOf(restored, keyField, batchSize);
        for (int i = 0; i < restored.size(); i++) {
            if (ids[i] != records.size()) {
                throw new CorruptCheckpointException(operator + ": the state holds key "
                        + restored.get(i).field(keyField) + " twice");
            }
            records.add(restored.get(i), restoredKeyGroups.get(i));
        }
    }

    /** The id of the key (field {@code keyField}) of each of {@code list}, inserting keys not seen yet. */
    int[] idsOf(List<Tuple> list, int keyField, int batchSize) {
        int[] ids = new int[list.size()];
        for (int from = 0; from < list.size(); from += batchSize) {
            int to = Math.min(list.size(), from + batchSize);
            RecordBatchBuilder builder = new RecordBatchBuilder(keySchema, allocator, to - from);
            for (int i = from; i < to; i++) {
                builder.addRow(new Object[] {list.get(i).field(keyField)});
            }
            try (RecordBatch batch = builder.build()) {
                System.arraycopy(lookup.groupIds(batch, keys), 0, ids, from, to - from);
            }
        }
        return ids;
    }

    @Override
    public void close() {
        keys.close();
    }
}
