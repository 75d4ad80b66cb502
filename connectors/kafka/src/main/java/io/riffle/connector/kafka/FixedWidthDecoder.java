package io.riffle.connector.kafka;

import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMilliVector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Each record's value in a {@link FixedWidthLayout}, decoded a column at a time over the whole run of records: the
 * fast path, with no parsing, a few loads and stores per field.
 */
final class FixedWidthDecoder implements RecordDecoder {
    private final BatchSchema schema;
    private final FixedWidthLayout layout;

    FixedWidthDecoder(BatchSchema schema) {
        this.schema = schema;
        this.layout = new FixedWidthLayout(schema);
    }

    @Override
    public BatchSchema schema() {
        return schema;
    }

    @Override
    public void decode(List<ConsumerRecord<byte[], byte[]>> records, int from, int to, RecordBatch out, int row)
            throws RecordDecodeException {
        int width = layout.width;
        int good = to;
        RecordDecodeException wrong = null;
        for (int i = from; i < to; i++) {
            byte[] value = records.get(i).value();
            if (value == null || value.length != width) {
                good = i;
                wrong = new RecordDecodeException(i - from, value == null ? "the record has no value (a tombstone)"
                        : "the value has " + value.length + " bytes, the layout takes " + width);
                break;
            }
        }
        for (int c = 0; c < layout.types.length; c++) {
            decodeColumn(records, from, good, out, row, c);
        }
        if (wrong != null) {
            throw wrong;
        }
    }

    private void decodeColumn(List<ConsumerRecord<byte[], byte[]>> records, int from, int to, RecordBatch out, int row,
                              int c) {
        int at = layout.offsets[c];
        ColumnType type = layout.types[c];
        switch (type) {
            case INT64 -> {
                BigIntVector v = out.int64(c);
                for (int i = from, r = row; i < to; i++, r++) {
                    v.setSafe(r, (long) FixedWidthLayout.LONG.get(records.get(i).value(), at));
                }
            }
            case TIMESTAMP_MS -> {
                TimeStampMilliVector v = out.timestampMs(c);
                for (int i = from, r = row; i < to; i++, r++) {
                    v.setSafe(r, (long) FixedWidthLayout.LONG.get(records.get(i).value(), at));
                }
            }
            case INT32 -> {
                IntVector v = out.int32(c);
                for (int i = from, r = row; i < to; i++, r++) {
                    v.setSafe(r, (int) FixedWidthLayout.INT.get(records.get(i).value(), at));
                }
            }
            case FLOAT64 -> {
                Float8Vector v = out.float64(c);
                for (int i = from, r = row; i < to; i++, r++) {
                    v.setSafe(r, (double) FixedWidthLayout.DOUBLE.get(records.get(i).value(), at));
                }
            }
            case BOOL -> {
                BitVector v = out.bool(c);
                for (int i = from, r = row; i < to; i++, r++) {
                    v.setSafe(r, records.get(i).value()[at] != 0 ? 1 : 0);
                }
            }
            default -> throw new IllegalStateException("no fixed-width " + type);
        }
    }
}
