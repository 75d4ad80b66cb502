package io.riffle.engine.internal.connector;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.connector.Source;
import io.riffle.engine.connector.SourceReader;
import io.riffle.engine.connector.TaskContext;
import org.apache.arrow.vector.VarCharVector;

/**
 * Generated text for word count (W4): {@code words} words drawn from a vocabulary of {@code vocabulary}
 * words with Zipf (s = 1) frequencies, as a {@code (word: utf8)} stream. Deterministic: subtask {@code s}
 * draws its share from a generator seeded with {@code s}. Word {@code r} (rank r, 0 the most frequent)
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
        long share = words / context.parallelism() + (context.subtask() < words % context.parallelism() ? 1 : 0);
        double[] cumulative = new double[vocabulary];
        double total = 0;
        for (int r = 0; r < vocabulary; r++) {
            total += 1.0 / (r + 1);
            cumulative[r] = total;
        }
        byte[][] encoded = new byte[vocabulary][];
        for (int r = 0; r < vocabulary; r++) {
            encoded[r] = word(r).getBytes(StandardCharsets.UTF_8);
        }
        double norm = total;
        return new SourceReader() {
            private final SplittableRandom random = new SplittableRandom(context.subtask());
            private final RecordBatch batch = RecordBatch.allocate(SCHEMA, context.allocator(), context.batchSize());
            private long left = share;

            @Override
            public RecordBatch next() {
                if (left == 0) {
                    return null;
                }
                int n = (int) Math.min(context.batchSize(), left);
                VarCharVector v = batch.utf8(0);
                v.reset();
                for (int i = 0; i < n; i++) {
                    int rank = rankOf(random.nextDouble() * norm);
                    v.setSafe(i, encoded[rank]);
                }
                batch.setRowCount(n);
                left -= n;
                return batch;
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

            @Override
            public boolean isFinished() {
                return left == 0;
            }

            @Override
            public void close() {
                batch.close();
            }
        };
    }
}
