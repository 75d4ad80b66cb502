package io.riffle.engine.internal.connector;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.engine.connector.Source;
import io.riffle.engine.connector.SourceReader;
import io.riffle.engine.connector.TaskContext;
import org.apache.arrow.vector.VarCharVector;

/**
 * Generated text for word count (W4): {@code words} words drawn from a vocabulary of {@code vocabulary}
 * words with Zipf (s = 1) frequencies, as a {@code (word: utf8)} stream. Deterministic: word {@code i} is
 * drawn from a hash of {@code i} alone, so the text is the same at any parallelism (subtasks take
 * every p-th index, as the generator does) and a reader rewinds to any index. Word {@code r} (rank r, 0 the most frequent)
 * is {@code r} written in base 26 with letters a-z.
 */
public final class ZipfWordsSource implements Source {
    public static final BatchSchema SCHEMA = BatchSchema.of(Column.of("word", ColumnType.UTF8));

    private final long words;
    private final int vocabulary;

    public ZipfWordsSource(long words, int vocabulary) {
        if (words < 0 || vocabulary < 1) {
            throw new IllegalArgumentException("zipf text needs words >= 0 and a vocabulary >= 1, not " + words
                    + " and " + vocabulary);
        }
        this.words = words;
        this.vocabulary = vocabulary;
    }

    @Override
    public String name() {
        return "zipf-text(" + words + " words, " + vocabulary + " distinct)";
    }

    @Override
    public BatchSchema schema() {
        return SCHEMA;
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

    @Override
    public SourceReader createReader(TaskContext context) {
        return new Reader(context, IndexRanges.share(words, context.subtask(), context.parallelism()));
    }

    @Override
    public boolean isRewindable() {
        return true;
    }

    @Override
    public SourceReader restoreReader(TaskContext context, List<byte[]> positions) {
        return new Reader(context, IndexRanges.decode(positions, name()));
    }

    /** A uniform double in [0, 1) that depends on {@code index} alone (SplitMix64's finalizer). */
    static double uniform(long index) {
        long z = (index + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 11) * 0x1.0p-53;
    }

    private final class Reader extends IndexRangeReader {
        private final double[] cumulative = new double[vocabulary];
        private final byte[][] encoded = new byte[vocabulary][];
        private final double norm;

        Reader(TaskContext context, IndexRanges left) {
            super(context, SCHEMA, left);
            double total = 0;
            for (int r = 0; r < vocabulary; r++) {
                total += 1.0 / (r + 1);
                cumulative[r] = total;
                encoded[r] = word(r).getBytes(StandardCharsets.UTF_8);
            }
            this.norm = total;
        }

        @Override
        void fill(long first, long step, int n, int row) {
            VarCharVector v = batch.utf8(0);
            if (row == 0) {
                v.reset();
            }
            for (int i = 0; i < n; i++) {
                v.setSafe(row + i, encoded[rankOf(uniform(first + i * step) * norm)]);
            }
        }

        private int rankOf(double u) {
            int lo = 0;
            int hi = vocabulary - 1;
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
    }
}
