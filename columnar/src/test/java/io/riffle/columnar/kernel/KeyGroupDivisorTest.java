package io.riffle.columnar.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** The multiply-based key group against the plain 64-bit remainder, for every divisor up to 600 and the edges. */
class KeyGroupDivisorTest {
    private static final long[] EDGES = {0, 1, 2, 0xFFFF_FFFFL, 0x1_0000_0000L, 0x1_0000_0001L, Long.MAX_VALUE,
            Long.MAX_VALUE - 1, -1L, Long.MIN_VALUE, Long.MIN_VALUE + 1, 0x7FFF_FFFF_0000_0000L, 0xFFFF_FFFF_FFFF_0000L};

    @Test
    void agreesWithTheRemainder() {
        SplittableRandom random = new SplittableRandom(11);
        int[] divisors = new int[600 + 6];
        for (int d = 1; d <= 600; d++) {
            divisors[d - 1] = d;
        }
        int[] more = {1024, 4096, 12345, 32767, 32768, 30011};
        System.arraycopy(more, 0, divisors, 600, more.length);
        for (int d : divisors) {
            KeyGroupDivisor divisor = new KeyGroupDivisor(d);
            for (long h : EDGES) {
                assertEquals(KeyGroups.keyGroup(h, d), divisor.keyGroup(h), "hash " + h + " mod " + d);
            }
            for (int i = 0; i < 2_000; i++) {
                long h = random.nextLong();
                assertEquals(KeyGroups.keyGroup(h, d), divisor.keyGroup(h), "hash " + h + " mod " + d);
            }
        }
    }
}
