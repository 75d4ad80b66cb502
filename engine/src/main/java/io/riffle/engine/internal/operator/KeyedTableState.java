package io.riffle.engine.internal.operator;

import java.io.IOException;
import java.nio.file.Path;

import io.riffle.columnar.hash.GroupBySpec;
import io.riffle.columnar.hash.OffHeapHashTable;
import io.riffle.columnar.hash.TableSnapshot;
import io.riffle.engine.internal.runtime.OperatorSnapshot;
import io.riffle.engine.internal.runtime.StateRestore;
import org.apache.arrow.memory.BufferAllocator;

/** Checkpointing a keyed operator's one off-heap table: copy-on-write snapshot written by key group, restore of a subtask's key groups. */
final class KeyedTableState {
    private KeyedTableState() {
    }

    static OperatorSnapshot snapshot(OffHeapHashTable table, int maxParallelism) {
        TableSnapshot snapshot = table.snapshot();
        return new OperatorSnapshot() {
            @Override
            public long writeTo(Path file) throws IOException {
                return snapshot.writeTo(file, maxParallelism);
            }

            @Override
            public void close() {
                snapshot.close();
            }
        };
    }

    /** The table holding {@code restore}'s key groups read out of every old subtask's file; {@code current} is closed then. */
    static OffHeapHashTable restore(OffHeapHashTable current, GroupBySpec spec, BufferAllocator allocator,
                                    long budgetBytes, StateRestore restore) throws IOException {
        if (restore.files().isEmpty()) {
            return current;
        }
        OffHeapHashTable restored = OffHeapHashTable.restore(spec, allocator, budgetBytes, restore.files(),
                restore.keyGroups());
        current.close();
        return restored;
    }
}
