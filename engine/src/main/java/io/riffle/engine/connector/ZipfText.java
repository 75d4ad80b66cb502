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
    }

    /** The number of distinct words. */
    public int vocabulary() {
        return cumulative.length;
    }

    /** The rank of word {@code index} of the text: a binary search of the weights for a uniform draw. */
    public int rank(long index) {
        double u = uniform(index) * cumulative[cumulative.length - 1];
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] < u) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
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
