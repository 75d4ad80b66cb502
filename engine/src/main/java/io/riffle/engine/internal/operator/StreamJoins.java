package io.riffle.engine.internal.operator;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.internal.runtime.StateRestore;
import org.apache.arrow.memory.BufferAllocator;

/** What the interval join and the window join share: input checks, time arithmetic, restoring their buffers. */
final class StreamJoins {
    private StreamJoins() {
    }

    /** Fails naming the field when a row of input {@code input} has a null key or a null time. */
    static void checkNotNull(RecordBatch batch, BatchSchema schema, int key, int time, int input, String join) {
        String side = input == 0 ? "left" : "right";
        if (batch.vector(key).getNullCount() > 0) {
            throw new IllegalArgumentException("null key in " + schema.describe(key) + " of the " + side + " input of "
                    + join + "; join keys must not be null");
        }
        if (batch.vector(time).getNullCount() > 0) {
            throw new IllegalArgumentException("null event time in " + schema.describe(time) + " of the " + side
                    + " input of " + join + "; every record needs a timestamp");
        }
    }

    /** {@code a + b}, or the nearest long when it overflows. */
    static long saturatedAdd(long a, long b) {
        long sum = a + b;
        if (((a ^ sum) & (b ^ sum)) < 0) {
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return sum;
    }

    static boolean hasField(BatchSchema schema, String name) {
        for (int c = 0; c < schema.columnCount(); c++) {
            if (schema.column(c).name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Adds the restored rows of this subtask's key groups, out of every old subtask's file, to {@code buffers};
     * returns the headers of the old subtasks whose key groups it took.
     */
    static List<JoinState.Header> restore(StateRestore restore, JoinBuffer[] buffers, BufferAllocator allocator)
            throws Exception {
        List<JoinState.Header> taken = new ArrayList<>();
        for (Path file : restore.files()) {
            JoinState.Header old = JoinState.read(file, restore.firstKeyGroup(), restore.lastKeyGroupExclusive(),
                    buffers, allocator);
            if (old.firstKeyGroup() < restore.lastKeyGroupExclusive()
                    && old.lastKeyGroupExclusive() > restore.firstKeyGroup()) {
                taken.add(old);
            }
        }
        return taken;
    }
}
