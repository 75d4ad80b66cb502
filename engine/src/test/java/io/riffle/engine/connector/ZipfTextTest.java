package io.riffle.engine.connector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;

import io.riffle.engine.Environment;
import io.riffle.engine.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * W4's text: the same words as before it became public (the baselines' results are compared with Riffle's
 * on it), and the same text from {@link Environment#generateZipfText} at any parallelism.
 */
@Timeout(60)
class ZipfTextTest {
    /** The words ZipfWordsSource drew when the generator was its own. */
    @Test
    void ranksAreUnchanged() {
        ZipfText text = new ZipfText(1000);
        int[] first = new int[24];
        for (int i = 0; i < first.length; i++) {
            first[i] = text.rank(i);
        }
        assertArrayEquals(new int[] {417, 13, 0, 804, 0, 6, 1, 180, 3, 698, 10, 166, 27, 35, 112, 26, 21, 171, 2,
                311, 338, 78, 589, 6}, first);
    }

    /** The bucketed lookup gives exactly the binary search's rank: the smallest whose cumulative weight reaches the draw. */
    @Test
    void ranksAreTheBinarySearchOfTheCumulativeWeights() {
        for (int vocabulary : new int[] {1, 2, 3, 7, 26, 1000, 10_000, 100_000}) {
            ZipfText text = new ZipfText(vocabulary);
            double[] cumulative = cumulativeWeights(vocabulary);
            for (long i = 0; i < 300_000; i++) {
                assertEquals(binarySearchRank(cumulative, drawBitsOf(i)), text.rank(i),
                        "word " + i + " of a vocabulary of " + vocabulary);
            }
        }
    }

    /**
     * At every rank boundary (the first draw that ranks past r, found by bisecting the 53-bit draws) and on
     * either side of it, the bucketed lookup agrees with the binary search: where one comparison decides, it
     * decides right, and buckets spanning several ranks walk to the same answer.
     */
    @Test
    void ranksAgreeWithTheBinarySearchOnEitherSideOfEveryRankBoundary() {
        for (int vocabulary : new int[] {1, 2, 3, 7, 26, 1000, 10_000, 100_000}) {
            ZipfText text = new ZipfText(vocabulary);
            double[] cumulative = cumulativeWeights(vocabulary);
            for (int r = 0; r < vocabulary - 1; r++) {
                long lo = 0;
                long hi = 1L << 53;
                while (lo < hi) {
                    long mid = (lo + hi) >>> 1;
                    if (binarySearchRank(cumulative, mid) > r) {
                        hi = mid;
                    } else {
                        lo = mid + 1;
                    }
                }
                for (long bits = Math.max(0, lo - 2); bits <= Math.min((1L << 53) - 1, lo + 2); bits++) {
                    assertEquals(binarySearchRank(cumulative, bits), text.rankOfDraw(bits),
                            "draw " + bits + " by rank boundary " + r + " of a vocabulary of " + vocabulary);
                }
            }
            assertEquals(vocabulary - 1, text.rankOfDraw((1L << 53) - 1), "the largest draw, vocabulary " + vocabulary);
            assertEquals(0, text.rankOfDraw(0), "the smallest draw, vocabulary " + vocabulary);
        }
    }

    private static double[] cumulativeWeights(int vocabulary) {
        double[] cumulative = new double[vocabulary];
        double total = 0;
        for (int r = 0; r < vocabulary; r++) {
            total += 1.0 / (r + 1);
            cumulative[r] = total;
        }
        return cumulative;
    }

    /** The smallest rank whose cumulative weight reaches the draw scaled to the total, else the last. */
    private static int binarySearchRank(double[] cumulative, long bits) {
        double u = bits * 0x1.0p-53 * cumulative[cumulative.length - 1];
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

    /** SplitMix64's finalizer, as the text draws word i: 53 random bits. */
    private static long drawBitsOf(long index) {
        long z = (index + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return z >>> 11;
    }

    @Test
    void frequenciesFallWithRank() {
        ZipfText text = new ZipfText(13);
        long[] counts = new long[13];
        for (long i = 0; i < 250_000; i++) {
            counts[text.rank(i)]++;
        }
        assertArrayEquals(new long[] {78559, 39226, 26423, 19656, 15576, 13084, 11389, 9694, 8663, 7796, 7071,
                6702, 6161}, counts);
    }

    @Test
    void wordsAreRanksInBase26Letters() {
        assertEquals("a", ZipfText.word(0));
        assertEquals("z", ZipfText.word(25));
        assertEquals("ba", ZipfText.word(26));
        assertEquals("zz", ZipfText.word(26 * 26 - 1));
        assertEquals("baa", ZipfText.word(26 * 26));
    }

    @Test
    void aVocabularyHasAWordAtLeast() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ZipfText(0));
        assertEquals("zipf text needs a vocabulary of at least 1 word, not 0", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void generateZipfTextIsTheTextAtAnyParallelism(int parallelism) {
        long words = 100_000;
        ZipfText text = new ZipfText(500);
        Map<String, Long> expected = new HashMap<>();
        for (long i = 0; i < words; i++) {
            expected.merge(ZipfText.word(text.rank(i)), 1L, Long::sum);
        }
        Map<String, Long> counted = new HashMap<>();
        for (Tuple t : Environment.batch().setParallelism(parallelism).setBatchSize(1000)
                .generateZipfText(words, 500).groupBy("word").count().executeAndCollect()) {
            counted.put(t.getString(0), t.getLong(1));
        }
        assertEquals(expected, counted);
    }
}
