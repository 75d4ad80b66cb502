package io.riffle.columnar.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.junit.jupiter.api.Test;

/** {@link Validity#hasNulls} against Arrow's own null count, at every length around word and byte edges. */
class ValidityTest {
    @Test
    void agreesWithArrowsNullCount() {
        Random random = new Random(7);
        try (BufferAllocator allocator = new RootAllocator();
             BigIntVector v = new BigIntVector("v", allocator)) {
            for (int rows = 0; rows <= 200; rows++) {
                for (int nullAt = -1; nullAt < rows; nullAt++) {
                    v.reset();
                    v.allocateNew(256);
                    for (int r = 0; r < rows; r++) {
                        if (r == nullAt) {
                            v.setNull(r);
                        } else {
                            v.set(r, random.nextLong());
                        }
                    }
                    // Rows past the value count are not the vector's: a null there must not count.
                    v.setNull(rows);
                    v.setValueCount(rows);
                    assertEquals(v.getNullCount() > 0, Validity.hasNulls(v), rows + " rows, null at " + nullAt);
                    assertEquals(nullAt >= 0, Validity.hasNulls(v), rows + " rows, null at " + nullAt);
                }
            }
            v.clear();
            assertEquals(0, allocator.getAllocatedMemory());
        }
    }
}
