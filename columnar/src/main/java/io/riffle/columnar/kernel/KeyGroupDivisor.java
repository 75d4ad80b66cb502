package io.riffle.columnar.kernel;

/**
 * {@link KeyGroups#keyGroup} for one maximum parallelism without a 64-bit division per row: the hash's two
 * 32-bit halves are reduced with Lemire's multiply-based remainder (exact for 32-bit dividends) and
 * combined, {@code (hi * 2^32 + lo) mod d = ((hi mod d) * (2^32 mod d) + lo mod d) mod d}, the last step
 * exact too because {@code d <= 2^15} keeps it under 2^32. Same results as {@code %}; immutable.
 */
final class KeyGroupDivisor {
    private final int divisor;
    /** ceil(2^64 / divisor), wrapped (0 for a divisor of 1, for which every remainder is 0). */
    private final long magic;
    private final long twoTo32Remainder;

    KeyGroupDivisor(int maxParallelism) {
        KeyGroups.check(maxParallelism, 1);
        this.divisor = maxParallelism;
        this.magic = Long.divideUnsigned(-1L, maxParallelism) + 1;
        this.twoTo32Remainder = (1L << 32) % maxParallelism;
    }

    int keyGroup(long hash) {
        long n = hash & Long.MAX_VALUE;
        long hi = remainder(n >>> 32);
        long lo = remainder(n & 0xFFFF_FFFFL);
        return (int) remainder(hi * twoTo32Remainder + lo);
    }

    /** {@code a mod divisor} for {@code 0 <= a < 2^32}. */
    private long remainder(long a) {
        long low = magic * a;
        // The unsigned high half of low * divisor (divisor > 0): the signed one, corrected for low's sign bit.
        return Math.multiplyHigh(low, divisor) + ((low >> 63) & divisor);
    }
}
