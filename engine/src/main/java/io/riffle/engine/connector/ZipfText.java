package io.riffle.engine.connector;

/**
 * Generated text for word count (W4): word {@code i} of a text over a vocabulary of {@code V} words is drawn
 * with Zipf (s = 1) frequencies from a hash of {@code i} alone, so any system that asks for word {@code i}
 * gets the same word, in any order, at any parallelism. Riffle's {@code Environment.generateZipfText} reads
 * through it, and the baselines generate their text from it index by index. Word {@code r} (rank
 * {@code r}, 0 the most frequent) is {@code r} written in base 26 with the letters a-z.
 *
 * <pre>{@code
 * ZipfText text = new ZipfText(1000);
 * String tenth = ZipfText.word(text.rank(9));
 * }</pre>
 *
 * Immutable: one instance may serve any number of threads.
 */
public final class ZipfText {
    /** {@code cumulative[r]}: the sum of the weights {@code 1 / (q + 1)} of the ranks {@code q <= r}. */
    private final double[] cumulative;
    /** {@link #cumulative} but the last rank's, which is infinite: no draw, however rounded, passes it. */
    private final double[] upper;
    /**
     * The draws' 53 random bits, cut into {@code 2^b} buckets by their top {@code b} bits: {@code bucket[j]}
     * is the rank of bucket j's smallest draw when its draws span at most two ranks (one comparison then
     * decides), or {@code -1 - rank} when they span more (a walk up from that rank decides).
     */
    private final int[] bucket;
    /** {@code 53 - b}: a draw's bits shifted right by this are its bucket. */
    private final int bucketShift;

    /** A vocabulary of {@code vocabulary} words, ranks {@code 0 .. vocabulary - 1}. */
    public ZipfText(int vocabulary) {
        if (vocabulary < 1) {
            throw new IllegalArgumentException("zipf text needs a vocabulary of at least 1 word, not " + vocabulary);
        }
        cumulative = new double[vocabulary];
        double total = 0;
        for (int r = 0; r < vocabulary; r++) {
            total += 1.0 / (r + 1);
            cumulative[r] = total;
        }
        upper = cumulative.clone();
        upper[vocabulary - 1] = Double.POSITIVE_INFINITY;
        // Four buckets per word or more: all but the rarest words' buckets then hold at most one rank boundary.
        int bits = Math.min(MAX_BUCKET_BITS, 34 - Integer.numberOfLeadingZeros(vocabulary - 1 | 1));
        bucket = new int[1 << bits];
        bucketShift = DRAW_BITS - bits;
        int r = 0;
        for (int j = 0; j < bucket.length; j++) {
            r = walk(r, (long) j << bucketShift);
            int highest = walk(r, (((long) j + 1) << bucketShift) - 1);
            bucket[j] = highest - r <= 1 ? r : -1 - r;
        }
    }

    private static final int DRAW_BITS = 53;
    /** 4 M buckets (16 MiB) at most, whatever the vocabulary. */
    private static final int MAX_BUCKET_BITS = 22;

    /** The number of distinct words. */
    public int vocabulary() {
        return cumulative.length;
    }

    /**
     * The rank of word {@code index} of the text: the smallest rank whose cumulative weight reaches a
     * uniform draw scaled to the total weight (the last rank if rounding puts the draw past it).
     */
    public int rank(long index) {
        return rankOfDraw(drawBits(index));
    }

    /** The rank of a draw of 53 random bits. */
    int rankOfDraw(long bits) {
        double u = weightOf(bits);
        int r = bucket[(int) (bits >>> bucketShift)];
        if (r < 0) {
            return walkFrom(-1 - r, u);
        }
        return upper[r] < u ? r + 1 : r;
    }

    /** The rank of the draw {@code bits}, walking up from {@code r}, a rank at or below it. */
    private int walk(int r, long bits) {
        return walkFrom(r, weightOf(bits));
    }

    /** A draw scaled to the total weight: its bits times 2^-53 (exact), times the total (rounded once). */
    private double weightOf(long bits) {
        return bits * 0x1.0p-53 * cumulative[cumulative.length - 1];
    }

    private int walkFrom(int r, double u) {
        int last = cumulative.length - 1;
        while (r < last && cumulative[r] < u) {
            r++;
        }
        return r;
    }

    /** The word of rank {@code rank}: its base-26 digits as letters, so "a", "b", ..., "z", "ba", ... */
    public static String word(int rank) {
        StringBuilder sb = new StringBuilder();
        int r = rank;
        do {
            sb.append((char) ('a' + r % 26));
            r /= 26;
        } while (r > 0);
        return sb.reverse().toString();
    }

    /**
     * 53 random bits that depend on {@code index} alone (SplitMix64's finalizer); times 2^-53 they are a
     * uniform double in [0, 1).
     */
    private static long drawBits(long index) {
        long z = (index + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return z >>> 11;
    }
}
