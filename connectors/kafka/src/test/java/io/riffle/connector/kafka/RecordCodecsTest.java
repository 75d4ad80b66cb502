package io.riffle.connector.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.RecordBatchBuilder;
import io.riffle.engine.Tuple;
import io.riffle.engine.connector.file.CsvFormat;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The built-in decoders and encoders: round trips of every type, nulls and escapes, and each error's message. */
class RecordCodecsTest {
    private static final BatchSchema ALL = BatchSchema.of(Column.nullable("id", ColumnType.INT64),
            Column.nullable("n", ColumnType.INT32), Column.nullable("x", ColumnType.FLOAT64),
            Column.nullable("ok", ColumnType.BOOL), Column.nullable("name", ColumnType.UTF8),
            Column.nullable("at", ColumnType.TIMESTAMP_MS));
    private static final BatchSchema FIXED = BatchSchema.of(Column.of("id", ColumnType.INT64),
            Column.of("n", ColumnType.INT32), Column.of("x", ColumnType.FLOAT64), Column.of("ok", ColumnType.BOOL),
            Column.of("at", ColumnType.TIMESTAMP_MS));

    private final BufferAllocator allocator = new RootAllocator();

    @AfterEach
    void allocatorEndsEmpty() {
        assertEquals(0, allocator.getAllocatedMemory());
        allocator.close();
    }

    private static ConsumerRecord<byte[], byte[]> record(byte[] key, byte[] value) {
        return new ConsumerRecord<>("t", 0, 0, 1_234L, TimestampType.CREATE_TIME, 0, value == null ? 0 : value.length,
                key, value, new RecordHeaders(), java.util.Optional.empty());
    }

    /** Encodes {@code rows} of {@code schema} with {@code encoder}, decodes them with {@code decoder}. */
    private List<Tuple> roundTrip(BatchSchema schema, RecordEncoder encoder, RecordDecoder decoder, Object[]... rows)
            throws Exception {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (RecordBatch in = RecordBatchBuilder.fromRows(schema, allocator, rows)) {
            RowEncoder encode = encoder.open(schema);
            for (int r = 0; r < in.rowCount(); r++) {
                records.add(record(encode.key(in, r), encode.value(in, r)));
            }
        }
        return decode(decoder, records);
    }

    private List<Tuple> decode(RecordDecoder decoder, List<ConsumerRecord<byte[], byte[]>> records) throws Exception {
        try (RecordBatch out = RecordBatch.allocate(decoder.schema(), allocator, records.size())) {
            out.ensureCapacity(records.size());
            out.setRowCount(0);
            decoder.decode(records, 0, records.size(), out, 0);
            out.setRowCount(records.size());
            List<Tuple> tuples = new ArrayList<>();
            for (int r = 0; r < out.rowCount(); r++) {
                Object[] fields = new Object[out.columnCount()];
                for (int c = 0; c < fields.length; c++) {
                    fields[c] = out.value(r, c);
                }
                tuples.add(Tuple.of(fields));
            }
            return tuples;
        }
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static final Object[] FIRST = {1L, -7, 2.5, true, "plain", Instant.ofEpochMilli(1_000)};
    private static final Object[] TRICKY = {Long.MIN_VALUE, Integer.MAX_VALUE, -0.125, false,
        "comma, \"quote\"\nline — ünïcødé", Instant.ofEpochMilli(-1)};
    private static final Object[] NULLS = {null, null, null, null, null, null};

    @Test
    void csvRoundTripsEveryTypeNullsQuotesAndUnicode() throws Exception {
        // As the engine's CSV files: a null utf8 field is written empty, which reads back as the empty string unless
        // the format reads empty strings as null.
        assertEquals(List.of(Tuple.of(FIRST), Tuple.of(TRICKY), Tuple.of(null, null, null, null, "", null)),
                roundTrip(ALL, RecordEncoders.csv(), RecordDecoders.csv(ALL), FIRST, TRICKY, NULLS));
        assertEquals(List.of(Tuple.of(NULLS)), roundTrip(ALL, RecordEncoders.csv(),
                RecordDecoders.csv(ALL, CsvFormat.DEFAULT.withEmptyStringAsNull(true)), NULLS));
        assertEquals(List.of(Tuple.of(1L, -7, 2.5, true, "", Instant.ofEpochMilli(1_000))),
                roundTrip(ALL, RecordEncoders.csv(), RecordDecoders.csv(ALL),
                        new Object[] {1L, -7, 2.5, true, "", Instant.ofEpochMilli(1_000)}));
    }

    @Test
    void jsonRoundTripsEveryTypeNullsEscapesAndUnicode() throws Exception {
        assertEquals(List.of(Tuple.of(FIRST), Tuple.of(TRICKY), Tuple.of(NULLS)),
                roundTrip(ALL, RecordEncoders.json(), RecordDecoders.json(ALL), FIRST, TRICKY, NULLS));
    }

    @Test
    void fixedWidthRoundTripsEveryFixedWidthTypeInItsLayout() throws Exception {
        Object[] a = {42L, 7, 1.5, true, Instant.ofEpochMilli(99)};
        Object[] b = {-1L, Integer.MIN_VALUE, Double.MAX_VALUE, false, Instant.ofEpochMilli(Long.MAX_VALUE)};
        assertEquals(List.of(Tuple.of(a), Tuple.of(b)),
                roundTrip(FIXED, RecordEncoders.fixedWidth(), RecordDecoders.fixedWidth(FIXED), a, b));
        try (RecordBatch in = RecordBatchBuilder.fromRows(FIXED, allocator, a)) {
            byte[] value = RecordEncoders.fixedWidth().open(FIXED).value(in, 0);
            assertEquals(8 + 4 + 8 + 1 + 8, value.length);
            assertEquals(42, value[0]);
            assertArrayEquals(new byte[] {42, 0, 0, 0, 0, 0, 0, 0},
                    RecordEncoders.fixedWidth().withKey("id").open(FIXED).key(in, 0));
        }
    }

    @Test
    void jsonReadsFieldsByNameSkipsUnknownOnesAndMakesMissingOnesNull() throws Exception {
        String object = "{\"extra\": {\"deep\": [1, {\"x\": 2}]}, \"name\": \"a\", \"id\": 3,"
                + " \"at\": \"1970-01-01T00:00:02Z\"}";
        List<Tuple> rows = decode(RecordDecoders.json(ALL), List.of(record(null, text(object))));
        assertEquals(List.of(Tuple.of(3L, null, null, null, "a", Instant.ofEpochMilli(2_000))), rows);
    }

    @Test
    void linesAndRecordTimestampsDecode() throws Exception {
        RecordDecoder lines = RecordDecoders.withRecordTimestamp(RecordDecoders.lines("line"), "kafka_time");
        assertEquals(List.of(Tuple.of("héllo", Instant.ofEpochMilli(1_234))),
                decode(lines, List.of(record(null, text("héllo")))));
    }

    @Test
    void keysAreTheFieldAsTextForTheTextEncoders() throws Exception {
        try (RecordBatch in = RecordBatchBuilder.fromRows(ALL, allocator, FIRST)) {
            assertArrayEquals(text("plain"), RecordEncoders.csv().withKey("name").open(ALL).key(in, 0));
            assertArrayEquals(text("1"), RecordEncoders.json().withKey("id").open(ALL).key(in, 0));
            assertNull(RecordEncoders.csv().open(ALL).key(in, 0));
        }
    }

    @Test
    void eachBadRecordFailsNamingItsIndexAndWhatIsWrong() {
        BatchSchema two = BatchSchema.of(Column.of("a", ColumnType.INT64), Column.of("b", ColumnType.INT32));
        assertDecodeError(RecordDecoders.csv(two), "1,2", "1,3000000000", 1, "field 'b': '3000000000' is out of the"
                + " int32 range");
        assertDecodeError(RecordDecoders.csv(two), "1,2", "1,2,3", 1, "the line has more than the schema's 2 fields");
        assertDecodeError(RecordDecoders.csv(two), "1,2", "1", 1, "the line has 1 fields, the schema has 2");
        assertDecodeError(RecordDecoders.csv(two), "1,2", "\"1,2", 1, "field 'a': a quote is not closed");
        assertDecodeError(RecordDecoders.json(two), "{\"a\":1}", "{\"a\": \"x\"}", 1, "field 'a': x is not an"
                + " integer");
        assertDecodeError(RecordDecoders.json(two), "{\"a\":1}", "[1]", 1, "the value is not a JSON object");
        assertDecodeError(RecordDecoders.json(two), "{\"a\":1}", "{\"a\": 1", 1, "not JSON: Unexpected end-of-input:"
                + " expected close marker for Object (start marker at [Source: REDACTED (`StreamReadFeature"
                + ".INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 1])");
        assertDecodeError(RecordDecoders.fixedWidth(two), new byte[12], new byte[5], 1, "the value has 5 bytes, the"
                + " layout takes 12");
        assertDecodeError(RecordDecoders.lines("l"), text("ok"), new byte[] {(byte) 0xc3, 0x28}, 1,
                "the value is not UTF-8 text");
        assertDecodeError(RecordDecoders.csv(two), "1,2", (String) null, 1, "the record has no value (a tombstone)");
    }

    /**
     * A source's subtasks share its decoder and call it at the same time: each call's rows must be its own. Two
     * threads decode runs of JSON objects that leave different fields out, and runs of CSV lines with quoted fields,
     * many times over.
     */
    @Test
    void oneDecoderDecodesRunsFromSeveralThreadsAtOnce() throws Exception {
        BatchSchema two = BatchSchema.of(Column.nullable("a", ColumnType.INT64),
                Column.nullable("b", ColumnType.UTF8));
        RecordDecoder json = RecordDecoders.json(two);
        RecordDecoder csv = RecordDecoders.csv(two);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 2; t++) {
            boolean first = t == 0;
            threads.add(new Thread(() -> {
                try (BufferAllocator mine = allocator.newChildAllocator("thread", 0, Long.MAX_VALUE)) {
                    List<ConsumerRecord<byte[], byte[]>> objects = new ArrayList<>();
                    List<ConsumerRecord<byte[], byte[]>> lines = new ArrayList<>();
                    for (int i = 0; i < 50; i++) {
                        objects.add(record(null, text(first ? "{\"a\": " + i + "}" : "{\"b\": \"x" + i + "\"}")));
                        lines.add(record(null, text(i + ",\"" + (first ? "q\"\"" : "r\"\"\"\"") + i + "\"")));
                    }
                    for (int round = 0; round < 200; round++) {
                        try (RecordBatch out = RecordBatch.allocate(two, mine, 50);
                             RecordBatch text = RecordBatch.allocate(two, mine, 50)) {
                            out.ensureCapacity(50);
                            text.ensureCapacity(50);
                            json.decode(objects, 0, 50, out, 0);
                            csv.decode(lines, 0, 50, text, 0);
                            out.setRowCount(50);
                            text.setRowCount(50);
                            for (int r = 0; r < 50; r++) {
                                Object a = out.value(r, 0);
                                Object b = out.value(r, 1);
                                boolean right = first ? Long.valueOf(r).equals(a) && b == null
                                        : a == null && ("x" + r).equals(b);
                                if (!right) {
                                    throw new AssertionError("row " + r + " of thread " + (first ? 1 : 2) + ": " + a
                                            + ", " + b);
                                }
                                String quoted = (first ? "q\"" : "r\"\"") + r;
                                if (!quoted.equals(text.value(r, 1))) {
                                    throw new AssertionError("csv row " + r + ": " + text.value(r, 1));
                                }
                            }
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread thread : threads) {
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void schemasAnEncoderOrDecoderCannotTakeAreRefusedNamingTheField() {
        BatchSchema text = BatchSchema.of(Column.of("word", ColumnType.UTF8));
        assertEquals("field 'word' is utf8: a fixed-width layout holds only int32, int64, float64, bool and"
                + " timestamp[ms]", assertThrows(IllegalArgumentException.class,
                () -> RecordDecoders.fixedWidth(text)).getMessage());
        assertEquals("field 'word' is utf8: a fixed-width layout holds only int32, int64, float64, bool and"
                + " timestamp[ms]", assertThrows(IllegalArgumentException.class,
                () -> RecordEncoders.fixedWidth().open(text)).getMessage());
        assertEquals("the decoder already has a field 'word': name the record timestamp field otherwise",
                assertThrows(IllegalArgumentException.class,
                        () -> RecordDecoders.withRecordTimestamp(RecordDecoders.lines("word"), "word")).getMessage());
    }

    private void assertDecodeError(RecordDecoder decoder, String good, String bad, int index, String message) {
        assertDecodeError(decoder, text(good), bad == null ? null : text(bad), index, message);
    }

    private void assertDecodeError(RecordDecoder decoder, byte[] good, byte[] bad, int index, String message) {
        List<ConsumerRecord<byte[], byte[]>> records = List.of(record(null, good), record(null, bad));
        RecordDecodeException e = assertThrows(RecordDecodeException.class, () -> decode(decoder, records));
        assertEquals(index, e.index());
        assertEquals(message, e.getMessage());
    }
}
