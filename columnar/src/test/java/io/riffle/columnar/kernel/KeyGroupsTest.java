package io.riffle.columnar.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** Pure integer arithmetic: no Arrow memory, so no allocator to check. */
class KeyGroupsTest {
    @Test
    void rangesCoverEveryKeyGroupOnceAndAgreeWithPartitionOf() {
        for (int[] pair : parallelismPairs()) {
            int max = pair[0];
            int par = pair[1];
            String where = "max parallelism " + max + ", parallelism " + par;
            int expectedFirst = 0;
            for (int p = 0; p < par; p++) {
                int first = KeyGroups.firstKeyGroup(p, max, par);
                int end = KeyGroups.lastKeyGroupExclusive(p, max, par);
                assertEquals(expectedFirst, first, where + ": partition " + p + " starts where the last ended");
                assertTrue(end > first, where + ": partition " + p + " owns at least one key group");
                assertTrue(end - first <= (max + par - 1) / par, where + ": ranges differ in size by at most one");
                for (int g = first; g < end; g++) {
                    assertEquals(p, KeyGroups.partitionOf(g, max, par), where + ", key group " + g);
                }
                expectedFirst = end;
            }
            assertEquals(max, expectedFirst, where + ": the ranges end at the max parallelism");
        }
    }

    @Test
    void rangesMatchFlinksKeyGroupRangeAssignment() {
        // Flink: start = (p * max + par - 1) / par, inclusive end = ((p + 1) * max - 1) / par.
        for (int[] pair : parallelismPairs()) {
            int max = pair[0];
            int par = pair[1];
            for (int p = 0; p < par; p++) {
                assertEquals(((long) p * max + par - 1) / par, KeyGroups.firstKeyGroup(p, max, par));
                assertEquals(((long) (p + 1) * max - 1) / par + 1, KeyGroups.lastKeyGroupExclusive(p, max, par));
            }
        }
        int[] expected = {0, 0, 0, 1, 1, 2, 2, 2, 3, 3};
        for (int g = 0; g < 10; g++) {
            assertEquals(expected[g], KeyGroups.partitionOf(g, 10, 4), "key group " + g + " of 10 at parallelism 4");
        }
        assertEquals(43, KeyGroups.firstKeyGroup(1, 128, 3));
        assertEquals(86, KeyGroups.lastKeyGroupExclusive(1, 128, 3));
    }

    @Test
    void keyGroupIsTheHashWithoutItsSignBitModuloMaxParallelism() {
        Random r = new Random(42);
        long[] edges = {0L, 1L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE + 1};
        int[] maxima = {1, 2, 7, 128, 1000, 32767, 32768};
        for (int i = 0; i < 20_000; i++) {
            long hash = i < edges.length ? edges[i] : r.nextLong();
            int max = maxima[i % maxima.length];
            int expected = BigInteger.valueOf(hash).and(BigInteger.valueOf(Long.MAX_VALUE))
                    .mod(BigInteger.valueOf(max)).intValue();
            assertEquals(expected, KeyGroups.keyGroup(hash, max), "hash " + hash + ", max parallelism " + max);
        }
        assertEquals(KeyGroups.keyGroup(-1L, 128), KeyGroups.keyGroup(Long.MAX_VALUE, 128), "the sign bit is ignored");
        assertEquals(0, KeyGroups.keyGroup(Long.MIN_VALUE, 128));
    }

    @Test
    void rejectsInvalidParallelismPartitionsAndKeyGroups() {
        assertEquals("parallelism must be between 1 and the max parallelism (128), got 129; raise the max "
                + "parallelism or lower the parallelism", assertThrows(IllegalArgumentException.class,
                    () -> KeyGroups.partitionOf(0, 128, 129)).getMessage());
        assertEquals("parallelism must be between 1 and the max parallelism (128), got 0",
                assertThrows(IllegalArgumentException.class, () -> KeyGroups.check(128, 0)).getMessage());
        assertEquals("max parallelism must be between 1 and 32768, got 40000",
                assertThrows(IllegalArgumentException.class, () -> KeyGroups.firstKeyGroup(0, 40000, 1)).getMessage());
        assertEquals("max parallelism must be between 1 and 32768, got 0",
                assertThrows(IllegalArgumentException.class, () -> KeyGroups.keyGroup(5L, 0)).getMessage());
        assertEquals("partition 4 is outside [0, 4), the partitions of parallelism 4",
                assertThrows(IllegalArgumentException.class,
                    () -> KeyGroups.lastKeyGroupExclusive(4, 128, 4)).getMessage());
        assertEquals("partition -1 is outside [0, 4), the partitions of parallelism 4",
                assertThrows(IllegalArgumentException.class, () -> KeyGroups.firstKeyGroup(-1, 128, 4)).getMessage());
        assertEquals("key group 128 is outside [0, 128), the key groups of max parallelism 128",
                assertThrows(IllegalArgumentException.class, () -> KeyGroups.partitionOf(128, 128, 4)).getMessage());
    }

    /** Small and large, equal, coprime and power-of-two pairs, plus random ones from a fixed seed. */
    private static List<int[]> parallelismPairs() {
        List<int[]> pairs = new ArrayList<>();
        int[] maxima = {1, 2, 3, 7, 10, 128, 1000, 4096, 32768};
        for (int max : maxima) {
            for (int par = 1; par <= Math.min(max, 40); par++) {
                pairs.add(new int[] {max, par});
            }
            pairs.add(new int[] {max, max});
            pairs.add(new int[] {max, Math.max(1, max - 1)});
        }
        Random r = new Random(7);
        for (int i = 0; i < 200; i++) {
            int max = 1 + r.nextInt(KeyGroups.MAX_KEY_GROUPS);
            pairs.add(new int[] {max, 1 + r.nextInt(max)});
        }
        return pairs;
    }
}
