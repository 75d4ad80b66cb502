package io.riffle.engine.connector.file;

import static io.riffle.engine.connector.file.Connectors.asLists;
import static io.riffle.engine.connector.file.Connectors.end;
import static io.riffle.engine.connector.file.Connectors.readBatches;
import static io.riffle.engine.connector.file.Connectors.readRows;
import static io.riffle.engine.connector.file.Connectors.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.RecordBatchBuilder;
import io.riffle.columnar.batch.SelectionVector;
import io.riffle.engine.connector.SinkWriter;
import io.riffle.engine.testing.AllocatorTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvSinkTest extends AllocatorTest {
    static final BatchSchema EVERY_TYPE = BatchSchema.of(
            Column.of("id", ColumnType.INT32),
            Column.nullable("big", ColumnType.INT64),
            Column.nullable("price", ColumnType.FLOAT64),
            Column.nullable("ok", ColumnType.BOOL),
            Column.nullable("name, \"quoted\"", ColumnType.UTF8),
            Column.nullable("at", ColumnType.TIMESTAMP_MS));

    @TempDir
    Path dir;
    TestTaskContext context() {
        return TestTaskContext.single(allocator, 1024);
    }

    List<String> filesIn(Path directory) throws Exception {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesAHeaderQuotesOnlyWhenNeededAndNullsAsEmptyFields() throws Exception {
        Path file = dir.resolve("out.csv");
        write(new CsvSink(file), EVERY_TYPE, context(), new Object[][] {
                {1, 10L, 1.5, true, "plain", Instant.parse("2026-01-02T03:04:05Z")},
                {2, null, null, false, "a,b", Instant.ofEpochMilli(1_767_323_045_123L)},
                {3, -3L, 0.1, null, "say \"hi\"", null},
                {4, 0L, -0.0, true, "two\nlines", Instant.ofEpochMilli(-1)},
                {5, Long.MAX_VALUE, Double.NaN, false, "", Instant.EPOCH},
                {6, Long.MIN_VALUE, 1e10, true, null, null}});
        assertEquals("id,big,price,ok,\"name, \"\"quoted\"\"\",at\n"
                        + "1,10,1.5,true,plain,2026-01-02T03:04:05Z\n"
                        + "2,,,false,\"a,b\",2026-01-02T03:04:05.123Z\n"
                        + "3,-3,0.1,,\"say \"\"hi\"\"\",\n"
                        + "4,0,-0.0,true,\"two\nlines\",1969-12-31T23:59:59.999Z\n"
                        + "5,9223372036854775807,NaN,false,\"\",1970-01-01T00:00:00Z\n"
                        + "6,-9223372036854775808,1.0E10,true,,\n",
                Files.readString(file, StandardCharsets.UTF_8));
    }

    /** Nulls of the utf8 column come back as nulls only when empty strings read as null. */
    @Test
    void roundTripsEveryTypeThroughCsvSource() throws Exception {
        Object[][] first = {
                {Integer.MIN_VALUE, Long.MIN_VALUE, Double.MIN_VALUE, true, "", Instant.ofEpochMilli(Long.MIN_VALUE)},
                {Integer.MAX_VALUE, Long.MAX_VALUE, Double.MAX_VALUE, false, "a,b",
                        Instant.ofEpochMilli(Long.MAX_VALUE)},
                {0, 0L, -0.0, null, null, null},
                {-1, null, null, true, "\"", Instant.ofEpochMilli(0)}};
        Object[][] second = {
                {2, 2L, 0.1 + 0.2, false, "x\r\ny", Instant.parse("2026-01-02T03:04:05.678Z")},
                {3, 3L, Double.NaN, true, "\r", Instant.ofEpochMilli(-62_135_596_800_001L)},
                {4, 4L, Double.POSITIVE_INFINITY, false, "日本語 ✓ 😀 ünïcødé",
                        Instant.ofEpochMilli(253_402_300_800_000L)},
                {5, 5L, Double.NEGATIVE_INFINITY, true, " leading and trailing ", Instant.ofEpochMilli(1)}};
        Object[][] third = {
                {6, -6L, 1e-300, false, "tab\there; \"mixed\", all\n", Instant.ofEpochMilli(-1)}};
        Path file = dir.resolve("every.csv");
        write(new CsvSink(file), EVERY_TYPE, context(), first, second, third);
        CsvFormat emptyStringAsNull = CsvFormat.DEFAULT.withEmptyStringAsNull(true);
        List<List<Object>> rows = readRows(new CsvSource(file, EVERY_TYPE, emptyStringAsNull), context());
        assertEquals(asLists(first, second, third), rows);
    }

    /** Binary values are written as padded base64 (RFC 4648), every padding length, and read back byte for byte. */
    @Test
    void writesBinaryAsBase64AndReadsItBack() throws Exception {
        BatchSchema schema = BatchSchema.of(Column.of("id", ColumnType.INT32), Column.nullable("raw", ColumnType.BINARY));
        byte[] large = new byte[1000];
        new Random(7).nextBytes(large);
        Object[][] rows = {
                {1, "f".getBytes(StandardCharsets.US_ASCII)},
                {2, "fo".getBytes(StandardCharsets.US_ASCII)},
                {3, "foobar".getBytes(StandardCharsets.US_ASCII)},
                {4, new byte[] {(byte) 0xfb, (byte) 0xff, (byte) 0xbf}},
                {5, null},
                {6, new byte[0]},
                {7, large}};
        Path file = dir.resolve("raw.csv");
        write(new CsvSink(file), schema, context(), rows);
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        assertEquals("id,raw\n1,Zg==\n2,Zm8=\n3,Zm9vYmFy\n4,+/+/\n5,\n6,\"\"\n7," + Base64.getEncoder().encodeToString(large)
                + "\n", text);
        List<List<Object>> back = readRows(new CsvSource(file, schema), context());
        assertEquals(rows.length, back.size());
        for (int i = 0; i < rows.length; i++) {
            assertArrayEquals((byte[]) rows[i][1], (byte[]) back.get(i).get(1), "row " + i);
        }
    }

    @Test
    void aNullStringReadsBackAsTheEmptyStringByDefaultAsInFlink() throws Exception {
        BatchSchema schema = BatchSchema.of(
                Column.of("id", ColumnType.INT64), Column.nullable("text", ColumnType.UTF8));
        Path file = dir.resolve("nulls.csv");
        write(new CsvSink(file), schema, context(), new Object[][] {{1L, null}, {2L, ""}});
        assertEquals("id,text\n1,\n2,\"\"\n", Files.readString(file));
        assertEquals(asLists(new Object[][] {{1L, ""}, {2L, ""}}), readRows(new CsvSource(file, schema), context()));
    }

    @Test
    void roundTripsWithAnotherFormatAndNoHeader() throws Exception {
        BatchSchema schema = BatchSchema.of(
                Column.of("id", ColumnType.INT64), Column.nullable("text", ColumnType.UTF8));
        CsvFormat format = CsvFormat.DEFAULT.withDelimiter(';').withQuote('\'').withHeader(false)
                .withEmptyStringAsNull(true);
        Object[][] rows = {{1L, "a;b"}, {2L, "it's"}, {3L, "a,b \"c\""}, {4L, null}};
        Path file = dir.resolve("semi.csv");
        write(new CsvSink(file, format), schema, context(), rows);
        assertEquals("1;'a;b'\n2;'it''s'\n3;a,b \"c\"\n4;\n", Files.readString(file));
        assertEquals(asLists(rows),
                readRows(new CsvSource(file, schema, format), context()));
    }

    @Test
    void aSingleFileSinkRunsAtParallelismOne() {
        CsvSink sink = new CsvSink(dir.resolve("out.csv"));
        assertEquals(1, sink.parallelism());
        assertEquals("csv(out.csv)", sink.name());
    }

    @Test
    void aPartitionedSinkWritesAPartPerSubtask() throws Exception {
        BatchSchema schema = BatchSchema.of(Column.of("n", ColumnType.INT32));
        Path out = dir.resolve("out");
        CsvSink sink = CsvSink.partitioned(out);
        assertEquals(0, sink.parallelism());
        assertEquals("csv(out/part-*.csv)", sink.name());
        write(sink, schema, TestTaskContext.of(allocator, 0, 2, 1024), new Object[][] {{1}, {2}});
        write(sink, schema, TestTaskContext.of(allocator, 1, 2, 1024), new Object[][] {{3}});
        assertEquals(List.of("part-0.csv", "part-1.csv"), filesIn(out));
        assertEquals("n\n1\n2\n", Files.readString(out.resolve("part-0.csv")));
        assertEquals("n\n3\n", Files.readString(out.resolve("part-1.csv")));
    }

    @Test
    void aFailedJobLeavesNoFileAndAnEarlierFileAsItWas() throws Exception {
        BatchSchema schema = BatchSchema.of(Column.of("n", ColumnType.INT32));
        Path file = dir.resolve("out.csv");
        try (SinkWriter writer = new CsvSink(file).createWriter(schema, context());
             RecordBatch batch = RecordBatchBuilder.fromRows(schema, allocator, new Object[] {1})) {
            writer.write(batch);
        }
        assertEquals(List.of(), filesIn(dir));

        Files.writeString(file, "n\n42\n");
        try (SinkWriter writer = new CsvSink(file).createWriter(schema, context());
             RecordBatch batch = RecordBatchBuilder.fromRows(schema, allocator, new Object[] {1})) {
            writer.write(batch);
        }
        assertEquals(List.of("out.csv"), filesIn(dir));
        assertEquals("n\n42\n", Files.readString(file));

        write(new CsvSink(file), schema, context(), new Object[][] {{7}});
        assertEquals("n\n7\n", Files.readString(file));
    }

    @Test
    void writesOnlyTheSelectedRows() throws Exception {
        BatchSchema schema = BatchSchema.of(Column.of("n", ColumnType.INT32));
        CsvSink sink = new CsvSink(dir.resolve("selected.csv"));
        Path file = dir.resolve("selected.csv");
        try (SinkWriter writer = sink.createWriter(schema, context());
             RecordBatch batch = RecordBatchBuilder.fromRows(schema, allocator,
                     new Object[] {1}, new Object[] {2}, new Object[] {3}, new Object[] {4})) {
            SelectionVector selection = new SelectionVector(4);
            selection.rows()[0] = 1;
            selection.rows()[1] = 3;
            selection.setSize(2);
            batch.select(selection);
            writer.write(batch);
            end(sink, writer);
        }
        assertEquals("n\n2\n4\n", Files.readString(file));
    }

    @Test
    void writesLargeOutputThroughItsBuffer() throws Exception {
        BatchSchema schema = BatchSchema.of(Column.of("n", ColumnType.INT64), Column.of("text", ColumnType.UTF8));
        Object[][] rows = new Object[5000][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = new Object[] {(long) i, "row " + i + " " + "x".repeat(i % 97) + (i % 7 == 0 ? ",\"" : "")};
        }
        Object[][] huge = {{-1L, "y".repeat(200_000)}};
        Path file = dir.resolve("large.csv");
        write(new CsvSink(file), schema, context(), rows, huge);
        List<List<List<Object>>> batches = readBatches(new CsvSource(file, schema), context());
        assertEquals(5, batches.size());
        assertEquals(asLists(rows, huge), batches.stream().flatMap(List::stream).toList());
    }

    @Test
    void rejectsADirectoryForAFileAndAFileForADirectory() throws Exception {
        assertEquals(dir + " is a directory; a sink at parallelism 1 writes one file"
                        + " (write a file per subtask into a directory with partitioned(directory))",
                assertThrows(IllegalArgumentException.class, () -> new CsvSink(dir)).getMessage());
        Path file = Files.writeString(dir.resolve("taken"), "");
        assertEquals(file + " is a file; a partitioned sink writes part-<i>.csv files into a directory",
                assertThrows(IllegalArgumentException.class, () -> CsvSink.partitioned(file)).getMessage());
    }
}
