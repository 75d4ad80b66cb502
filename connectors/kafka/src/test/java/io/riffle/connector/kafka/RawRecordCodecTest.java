package io.riffle.connector.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.RecordBatchBuilder;
import io.riffle.engine.testing.AllocatorTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** The raw codec: Kafka records to (key, value, topic, partition, offset, timestamp) rows, and rows back to bytes. */
class RawRecordCodecTest extends AllocatorTest {
    private static ConsumerRecord<byte[], byte[]> record(String topic, int partition, long offset, long timestamp,
                                                         byte[] key, byte[] value) {
        return new ConsumerRecord<>(topic, partition, offset, timestamp, TimestampType.CREATE_TIME,
                key == null ? -1 : key.length, value == null ? -1 : value.length, key, value, new RecordHeaders(),
                Optional.empty());
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void decodesEachRecordIntoItsBytesTopicPartitionOffsetAndTimestamp() {
        byte[] binary = {0, (byte) 0xff, 0x7f, (byte) 0x80};
        List<ConsumerRecord<byte[], byte[]>> records = List.of(
                record("skipped", 9, 99, 99, utf8("not"), utf8("decoded")),
                record("orders", 2, 40, 1_767_323_045_123L, utf8("k1"), binary),
                record("orders", 2, 41, 1_767_323_045_124L, null, utf8("no key")),
                record("orders", 2, 42, 1_767_323_045_125L, utf8("deleted"), null),
                record("orders", 2, 43, 0, new byte[0], new byte[0]));
        RawRecordDecoder decoder = new RawRecordDecoder();
        assertEquals("(key: binary, value: binary, topic: utf8, partition: int32, offset: int64,"
                + " timestamp: timestamp[ms])", decoder.schema().toString());
        try (RecordBatch batch = RecordBatch.allocate(decoder.schema(), allocator, 1)) {
            // Rows are written after the one already there, and past the batch's first capacity.
            batch.ensureCapacity(5);
            decoder.decode(records, 1, 5, batch, 1);
            batch.setRowCount(5);
            Object[][] expected = {
                    {utf8("k1"), binary, "orders", 2, 40L, Instant.ofEpochMilli(1_767_323_045_123L)},
                    {null, utf8("no key"), "orders", 2, 41L, Instant.ofEpochMilli(1_767_323_045_124L)},
                    {utf8("deleted"), null, "orders", 2, 42L, Instant.ofEpochMilli(1_767_323_045_125L)},
                    {new byte[0], new byte[0], "orders", 2, 43L, Instant.EPOCH}};
            for (int r = 0; r < expected.length; r++) {
                Object[] row = new Object[6];
                for (int c = 0; c < 6; c++) {
                    row[c] = batch.value(r + 1, c);
                }
                assertEquals(Arrays.deepToString(expected[r]), Arrays.deepToString(row), "row " + (r + 1));
            }
            assertNull(batch.value(2, 0));
            assertNull(batch.value(3, 1));
        }
    }

    @Test
    void encodesDecodedRowsBackToTheRecordsBytes() {
        byte[] binary = {0, (byte) 0xff, 0x7f};
        List<ConsumerRecord<byte[], byte[]>> records = List.of(
                record("t", 0, 0, 5, utf8("k"), binary),
                record("t", 0, 1, 6, null, utf8("v")),
                record("t", 0, 2, 7, utf8("gone"), null));
        RawRecordDecoder decoder = new RawRecordDecoder();
        try (RecordBatch batch = RecordBatch.allocate(decoder.schema(), allocator, 3)) {
            decoder.decode(records, 0, 3, batch, 0);
            batch.setRowCount(3);
            RowEncoder rows = new RawRecordEncoder().open(decoder.schema());
            for (int r = 0; r < 3; r++) {
                assertArrayEquals(records.get(r).key(), rows.key(batch, r), "key of row " + r);
                assertArrayEquals(records.get(r).value(), rows.value(batch, r), "value of row " + r);
            }
        }
    }

    @Test
    void encodesUtf8FieldsAsTheirBytesAndWritesNoKeyWithoutAKeyField() {
        BatchSchema withKey = BatchSchema.of(Column.of("id", ColumnType.INT64), Column.of("value", ColumnType.UTF8),
                Column.of("key", ColumnType.UTF8));
        BatchSchema valueOnly = BatchSchema.of(Column.of("value", ColumnType.BINARY));
        try (RecordBatchBuilder b = new RecordBatchBuilder(withKey, allocator, 1);
             RecordBatchBuilder v = new RecordBatchBuilder(valueOnly, allocator, 1)) {
            b.addRow(1L, "日本語 ✓", "k");
            v.addRow((Object) new byte[] {1, 2});
            try (RecordBatch batch = b.build(); RecordBatch values = v.build()) {
                RowEncoder rows = new RawRecordEncoder().open(withKey);
                assertArrayEquals(utf8("k"), rows.key(batch, 0));
                assertArrayEquals(utf8("日本語 ✓"), rows.value(batch, 0));
                RowEncoder valueRows = new RawRecordEncoder().open(valueOnly);
                assertNull(valueRows.key(values, 0));
                assertArrayEquals(new byte[] {1, 2}, valueRows.value(values, 0));
            }
        }
    }

    @Test
    void aSchemaWithoutABinaryOrUtf8ValueOrWithAnotherKeyIsRefused() {
        RawRecordEncoder encoder = new RawRecordEncoder();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> encoder.open(BatchSchema.of(Column.of("payload", ColumnType.BINARY))));
        assertEquals("the raw Kafka encoder writes field 'value' as the record value, but the rows have no field"
                + " 'value': (payload: binary)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> encoder.open(BatchSchema.of(Column.of("value", ColumnType.INT64))));
        assertEquals("the raw Kafka encoder writes field 'value' as the record value, but field 0 ('value', int64)"
                + " is neither binary nor utf8", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> encoder.open(BatchSchema.of(
                Column.of("value", ColumnType.UTF8), Column.of("key", ColumnType.INT32))));
        assertEquals("the raw Kafka encoder writes field 'key' as the record key, but field 1 ('key', int32)"
                + " is neither binary nor utf8", e.getMessage());
    }
}
