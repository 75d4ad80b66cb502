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
    /**
     * {@code guide[j]}: a rank at or below the answer for every draw in [j / G, (j + 1) / G), G the table's
     * length: {@link #rank} walks up from it, a step or two, instead of binary-searching the weights.
     */
    private final int[] guide;

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
        guide = new int[GUIDES_PER_WORD * vocabulary];
        int r = 0;
        for (int j = 0; j < guide.length; j++) {
            double bucketStart = (double) j / guide.length * total;
            while (r < vocabulary - 1 && cumulative[r] < bucketStart) {
                r++;
            }
            // One rank lower: a draw rounded just under the bucket's start must not start above its answer.
            guide[j] = Math.max(0, r - 1);
        }
    }

    private static final int GUIDES_PER_WORD = 4;

    /** The number of distinct words. */
    public int vocabulary() {
        return cumulative.length;
    }

    /**
     * The rank of word {@code index} of the text: the smallest rank whose cumulative weight reaches a
     * uniform draw scaled to the total weight (the last rank if rounding puts the draw past it).
     */
    public int rank(long index) {
        double d = uniform(index);
        double u = d * cumulative[cumulative.length - 1];
        int r = guide[Math.min(guide.length - 1, (int) (d * guide.length))];
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

    /** A uniform double in [0, 1) that depends on {@code index} alone (SplitMix64's finalizer). */
    private static double uniform(long index) {
        long z = (index + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 11) * 0x1.0p-53;
    }
}
