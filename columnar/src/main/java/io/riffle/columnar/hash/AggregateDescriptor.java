package io.riffle.columnar.hash;

import java.nio.ByteBuffer;

/**
 * The 8-byte descriptor both file formats keep per aggregate, so that a file is only read back into a table
 * of the same aggregates: byte 0 the kind ({@link AggregateKind} ordinal), byte 1 the input type
 * ({@code ColumnType} ordinal, 0xFF: none, for {@code count()}), byte 2 whether the input is nullable, bytes
 * 4-7 the input field index.
 */
final class AggregateDescriptor {
    static final int BYTES = 8;

    private AggregateDescriptor() {
    }

    /** Aggregate {@code a} of {@code spec}'s descriptor. */
    static long of(GroupBySpec spec, int a) {
        long type = spec.inputTypes[a] == null ? 0xFF : spec.inputTypes[a].ordinal();
        return spec.kinds[a].ordinal() | (type << 8) | ((spec.inputNullable[a] ? 1L : 0L) << 16)
                | ((spec.inputFields[a] & 0xFFFFFFFFL) << 32);
    }

    /** Writes the descriptors of {@code spec}'s aggregates at {@code offset} of {@code buffer}, one after another. */
    static void putAll(ByteBuffer buffer, int offset, GroupBySpec spec) {
        for (int a = 0; a < spec.aggregateCount(); a++) {
            buffer.putLong(offset + a * BYTES, of(spec, a));
        }
    }

    /**
     * Checks the descriptors at {@code offset} of {@code buffer} against {@code spec}'s aggregates (as many as
     * it has); a mismatch is an error of {@code in} naming the aggregate.
     */
    static void checkAll(ByteBuffer buffer, int offset, GroupBySpec spec, StateFileReader in)
            throws CorruptTableFileException {
        for (int a = 0; a < spec.aggregateCount(); a++) {
            if (buffer.getLong(offset + a * BYTES) != of(spec, a)) {
                throw in.corrupt("aggregate " + a + " (" + spec.outputSchema().column(a + 1).name()
                        + ") was written for another aggregate or input field");
            }
        }
    }
}
