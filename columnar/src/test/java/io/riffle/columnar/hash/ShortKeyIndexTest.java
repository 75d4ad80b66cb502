package io.riffle.columnar.hash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.riffle.columnar.ArrowTest;
import org.apache.arrow.vector.VarCharVector;
import org.junit.jupiter.api.Test;

class ShortKeyIndexTest extends ArrowTest {
    /**
     * Keys of 0 to 7 bytes over a tiny alphabet with a zero byte, so that many differ only in their length
     * ("a" and "a\0") or their last byte; learned with first-appearance group ids, through many doublings.
     */
    @Test
    void findsEveryLearnedKeyOfUpToSevenBytesAndNoOther() {
        for (long seed = 1; seed <= 20; seed++) {
            Random r = new Random(seed);
            Map<String, Integer> groups = new HashMap<>();
            try (ShortKeyIndex index = new ShortKeyIndex(allocator)) {
                for (int batch = 0; batch < 6; batch++) {
                    List<String> keys = new ArrayList<>();
                    int n = 1 + r.nextInt(3000);
                    for (int i = 0; i < n; i++) {
                        keys.add(randomKey(r, 1 + r.nextInt(ShortKeyIndex.MAX_LENGTH + 1)));
                    }
                    try (VarCharVector v = vector(keys)) {
                        int[] expected = new int[n];
                        int expectedMissing = 0;
                        for (int i = 0; i < n; i++) {
                            Integer g = groups.get(keys.get(i));
                            expected[i] = g == null ? -1 : g;
                            expectedMissing += g == null ? 1 : 0;
                        }
                        int[] found = new int[n];
                        assertEquals(expectedMissing, index.find(v, n, found), "seed " + seed + ", batch " + batch);
                        assertArrayEquals(expected, found, "seed " + seed + ", batch " + batch);
                        // The table would now give the missing keys groups; the index learns them.
                        for (int i = 0; i < n; i++) {
                            found[i] = groups.computeIfAbsent(keys.get(i), k -> groups.size());
                        }
                        index.learn(v, n, found);
                        int[] again = new int[n];
                        assertEquals(0, index.find(v, n, again), "seed " + seed + ", batch " + batch + " learned");
                        assertArrayEquals(found, again, "seed " + seed + ", batch " + batch + " learned");
                    }
                }
                assertTrue(index.memoryUsed() * 3 >= 4L * 16 * groups.size(), "at most three quarters full");
            }
        }
    }

    @Test
    void keysOfEightBytesOrMoreAreNeverFound() {
        List<String> keys = List.of("eightchr", "a longer key than that", "seven77");
        try (ShortKeyIndex index = new ShortKeyIndex(allocator); VarCharVector v = vector(keys)) {
            index.learn(v, 3, new int[] {0, 1, 2});
            int[] found = new int[3];
            assertEquals(2, index.find(v, 3, found));
            assertArrayEquals(new int[] {-1, -1, 2}, found);
        }
    }

    /** A key whose 8-byte load would read past its vector's data buffer is left to the table, not read. */
    @Test
    void aKeyAtTheVeryEndOfTheDataIsNotReadPastIt() {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            keys.add("key" + i + "abc");
        }
        keys.add("z");
        try (ShortKeyIndex index = new ShortKeyIndex(allocator); VarCharVector v = vector(keys, 0)) {
            assertEquals(64, v.getDataBuffer().capacity(), "the ten keys fill the data buffer exactly");
            int[] groups = new int[10];
            for (int i = 0; i < 10; i++) {
                groups[i] = i;
            }
            index.learn(v, 10, groups);
            int[] found = new int[10];
            assertEquals(1, index.find(v, 10, found));
            assertEquals(-1, found[9]);
            assertEquals(8, found[8]);
        }
    }

    /** The keys with room for an 8-byte load past the last one. */
    private VarCharVector vector(List<String> keys) {
        return vector(keys, Long.BYTES);
    }

    private VarCharVector vector(List<String> keys, int slack) {
        VarCharVector v = new VarCharVector("k", allocator);
        int bytes = 0;
        for (String k : keys) {
            bytes += k.getBytes(StandardCharsets.UTF_8).length;
        }
        v.allocateNew(Math.max(bytes + slack, 1), keys.size());
        for (int i = 0; i < keys.size(); i++) {
            v.setSafe(i, keys.get(i).getBytes(StandardCharsets.UTF_8));
        }
        v.setValueCount(keys.size());
        return v;
    }

    private static String randomKey(Random r, int length) {
        char[] c = new char[r.nextInt(length)];
        for (int i = 0; i < c.length; i++) {
            c[i] = "ab\0".charAt(r.nextInt(3));
        }
        return new String(c);
    }
}
