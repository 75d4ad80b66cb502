package io.riffle.engine.internal.connector;

import java.nio.charset.StandardCharsets;
import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.engine.connector.SourceReader;
import io.riffle.engine.connector.TaskContext;
import io.riffle.engine.connector.ZipfText;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.VarCharVector;

/**
 * The {@link ZipfText} of {@code words} words over a vocabulary of {@code vocabulary}, as a
 * {@code (word: utf8)} stream: subtasks take every p-th index, as the generator does, and a reader rewinds
 * to any index.
 */
public final class ZipfWordsSource extends IndexedSource {
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
    long recordCount() {
        return words;
    }

    @Override
    SourceReader reader(TaskContext context, IndexRanges left) {
        return new Reader(context, left);
    }

    private static final long WORD_BYTES = (1L << 56) - 1;

    private final class Reader extends IndexRangeReader {
        private final ZipfText text = new ZipfText(vocabulary);
        /**
         * Each rank's word as UTF-8 packed little-endian into a long (a word of an int rank has at most 7
         * letters) with its length in the top byte: one load per row, then one 8-byte store, kept from
         * overlapping the next row by the length.
         */
        private final long[] packed = new long[vocabulary];
        /** The batch's words, packed, between the pass that sizes the text and the pass that writes it. */
        private long[] words = new long[0];

        Reader(TaskContext context, IndexRanges left) {
            super(context, SCHEMA, left);
            for (int r = 0; r < vocabulary; r++) {
                byte[] word = ZipfText.word(r).getBytes(StandardCharsets.UTF_8);
                long bits = 0;
                for (int b = word.length - 1; b >= 0; b--) {
                    bits = (bits << 8) | (word[b] & 0xFF);
                }
                packed[r] = bits | (long) word.length << 56;
            }
        }

        @Override
        void fill(long first, long step, int n, int row) {
            VarCharVector v = batch.utf8(0);
            if (words.length < n) {
                words = new long[n];
            }
            long offsets = v.getOffsetBufferAddress();
            if (row == 0) {
                MemoryUtil.putInt(offsets, 0);
            }
            int end = MemoryUtil.getInt(offsets + ((long) row << 2));
            long bytes = end;
            for (int i = 0; i < n; i++) {
                long word = packed[text.rank(first + i * step)];
                words[i] = word;
                bytes += word >>> 56;
            }
            // The last row's 8-byte store reaches up to 7 bytes past the text.
            while (v.getDataBuffer().capacity() < bytes + Long.BYTES) {
                v.reallocDataBuffer();
            }
            long data = v.getDataBufferAddress();
            for (int i = 0; i < n; i++) {
                long word = words[i];
                MemoryUtil.putLong(data + end, word & WORD_BYTES);
                end += (int) (word >>> 56);
                MemoryUtil.putInt(offsets + ((long) (row + i + 1) << 2), end);
            }
            MemoryUtil.setMemory(v.getValidityBufferAddress(), (row + n + 7) >>> 3, (byte) 0xFF);
            // The offsets are complete: without this, setValueCount would treat rows as unset and rewrite them.
            v.setLastSet(row + n - 1);
        }
    }
}
