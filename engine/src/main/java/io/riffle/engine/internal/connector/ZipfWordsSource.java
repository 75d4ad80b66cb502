package io.riffle.engine.internal.connector;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.engine.connector.Source;
import io.riffle.engine.connector.SourceReader;
import io.riffle.engine.connector.TaskContext;
import io.riffle.engine.connector.ZipfText;
import org.apache.arrow.vector.VarCharVector;

/**
 * The {@link ZipfText} of {@code words} words over a vocabulary of {@code vocabulary}, as a
 * {@code (word: utf8)} stream: subtasks take every p-th index, as the generator does, and a reader rewinds
 * to any index.
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

    private final class Reader extends IndexRangeReader {
        private final ZipfText text = new ZipfText(vocabulary);
        /** Each rank's word as UTF-8, so a row costs a copy and no encoding. */
        private final byte[][] encoded = new byte[vocabulary][];

        Reader(TaskContext context, IndexRanges left) {
            super(context, SCHEMA, left);
            for (int r = 0; r < vocabulary; r++) {
                encoded[r] = ZipfText.word(r).getBytes(StandardCharsets.UTF_8);
            }
        }

        @Override
        void fill(long first, long step, int n, int row) {
            VarCharVector v = batch.utf8(0);
            if (row == 0) {
                v.reset();
            }
            for (int i = 0; i < n; i++) {
                v.setSafe(row + i, encoded[text.rank(first + i * step)]);
            }
        }
    }
}
