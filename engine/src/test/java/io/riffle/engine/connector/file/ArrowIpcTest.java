package io.riffle.engine.connector.file;

import static io.riffle.engine.connector.file.Connectors.asLists;
import static io.riffle.engine.connector.file.Connectors.readBatches;
import static io.riffle.engine.connector.file.Connectors.readRows;
import static io.riffle.engine.connector.file.Connectors.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.RecordBatchBuilder;
import io.riffle.columnar.batch.SelectionVector;
import io.riffle.engine.connector.SinkWriter;
import io.riffle.engine.connector.SourceReader;
import io.riffle.engine.connector.TaskContext;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import io.riffle.engine.testing.AllocatorTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArrowIpcTest extends AllocatorTest {
    static final BatchSchema EVERY_TYPE = BatchSchema.of(
            Column.of("id", ColumnType.INT32),
            Column.nullable("big", ColumnType.INT64),
            Column.nullable("price", ColumnType.FLOAT64),
            Column.nullable("ok", ColumnType.BOOL),
            Column.nullable("name", ColumnType.UTF8),
            Column.nullable("at", ColumnType.TIMESTAMP_MS));
    static final BatchSchema NUMBERS = BatchSchema.of(Column.of("n", ColumnType.INT64));

    @TempDir
    Path dir;
    static Object[][] batchOf(int... values) {
        Object[][] rows = new Object[values.length][];
        for (int i = 0; i < values.length; i++) {
            rows[i] = new Object[] {(long) values[i]};
        }
        return rows;
    }

    /** Writes {@code batches} of NUMBERS to {@code file} through the sink. */
    Path numbers(Path file, Object[][]... batches) throws Exception {
        write(new ArrowIpcSink(file), NUMBERS, context(), batches);
        return file;
    }

    TestTaskContext context() {
        return TestTaskContext.single(allocator, 1024);
    }

    List<String> filesIn(Path directory) throws Exception {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void roundTripsEveryTypeWithNullsInSeveralBatches() throws Exception {
        Object[][] first = {
                {Integer.MIN_VALUE, Long.MIN_VALUE, Double.MIN_VALUE, true, "", Instant.ofEpochMilli(Long.MIN_VALUE)},
                {Integer.MAX_VALUE, Long.MAX_VALUE, Double.NaN, false, "日本語 ✓ 😀",
                        Instant.parse("2026-01-02T03:04:05Z")},
                {0, null, null, null, null, null}};
        Object[][] second = {{1, 1L, -0.0, true, "a,b \"c\"\n", Instant.ofEpochMilli(-1)}};
        Object[][] third = {
                {2, null, 2.5, null, "two", null},
                {3, 3L, Double.NEGATIVE_INFINITY, false, null, Instant.EPOCH}};
        Path file = dir.resolve("every.arrow");
        write(new ArrowIpcSink(file), EVERY_TYPE, context(), first, second, third);

        ArrowIpcSource source = new ArrowIpcSource(file);
        assertEquals(EVERY_TYPE, source.schema());
        assertEquals("arrow(every.arrow)", source.name());
        assertEquals(List.of(asLists(first), asLists(second), asLists(third)),
                readBatches(source, context()));
    }

    @Test
    void roundTripsBinaryColumns() throws Exception {
        BatchSchema schema = BatchSchema.of(Column.of("id", ColumnType.INT32), Column.nullable("raw", ColumnType.BINARY));
        byte[][] values = {{0, (byte) 0xff, 7}, null, {}, {42}};
        Object[][] rows = new Object[values.length][];
        for (int i = 0; i < values.length; i++) {
            rows[i] = new Object[] {i, values[i]};
        }
        Path file = dir.resolve("raw.arrow");
        write(new ArrowIpcSink(file), schema, context(), rows);

        ArrowIpcSource source = new ArrowIpcSource(file);
        assertEquals(schema, source.schema());
        List<List<Object>> back = readRows(source, context());
        assertEquals(values.length, back.size());
        for (int i = 0; i < values.length; i++) {
            assertEquals(i, back.get(i).get(0));
            assertArrayEquals(values[i], (byte[]) back.get(i).get(1), "row " + i);
        }
    }

    @Test
    void splitsRecordBatchesOverSubtasks() throws Exception {
        Path file = numbers(dir.resolve("five.arrow"),
                batchOf(0, 1), batchOf(10), batchOf(20, 21, 22), batchOf(30), batchOf(40, 41));
        ArrowIpcSource source = new ArrowIpcSource(file);
        assertEquals(List.of(asLists(batchOf(0, 1)), asLists(batchOf(20, 21, 22)), asLists(batchOf(40, 41))),
                readBatches(source, TestTaskContext.of(allocator, 0, 2, 1024)));
        assertEquals(List.of(asLists(batchOf(10)), asLists(batchOf(30))),
                readBatches(source, TestTaskContext.of(allocator, 1, 2, 1024)));
        assertEquals(List.of(), readBatches(source, TestTaskContext.of(allocator, 5, 6, 1024)));
    }

    /**
     * Two subtasks each read one batch and stop; their positions, restored into one subtask (and into three),
     * read exactly the batches left, in file order.
     */
    @Test
    void restoredReadersReadExactlyTheBatchesLeftAtAnyParallelism() throws Exception {
        Path file = numbers(dir.resolve("seven.arrow"), batchOf(0), batchOf(1), batchOf(2), batchOf(3), batchOf(4),
                batchOf(5), batchOf(6));
        ArrowIpcSource source = new ArrowIpcSource(file);
        assertTrue(source.isRewindable());
        List<byte[]> positions = new ArrayList<>();
        for (int s = 0; s < 2; s++) {
            try (SourceReader reader = source.createReader(TestTaskContext.of(allocator, s, 2, 1024))) {
                assertEquals(asLists(batchOf(s)), Connectors.rows(reader.next()));
                positions.add(reader.position());
            }
        }
        assertEquals(List.of(asLists(batchOf(2)), asLists(batchOf(3)), asLists(batchOf(4)), asLists(batchOf(5)),
                asLists(batchOf(6))), restoredBatches(source, TestTaskContext.of(allocator, 0, 1, 1024), positions));
        // At parallelism 3, old subtask i goes to new subtask i mod 3: 0 and 1 keep their own, 2 gets none.
        assertEquals(List.of(asLists(batchOf(2)), asLists(batchOf(4)), asLists(batchOf(6))),
                restoredBatches(source, TestTaskContext.of(allocator, 0, 3, 1024), positions.subList(0, 1)));
        assertEquals(List.of(asLists(batchOf(3)), asLists(batchOf(5))),
                restoredBatches(source, TestTaskContext.of(allocator, 1, 3, 1024), positions.subList(1, 2)));
        assertEquals(List.of(), restoredBatches(source, TestTaskContext.of(allocator, 2, 3, 1024), List.of()));
    }

    @Test
    void aMalformedPositionFailsNamingTheSource() throws Exception {
        ArrowIpcSource source = new ArrowIpcSource(numbers(dir.resolve("one.arrow"), batchOf(1)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> source.restoreReader(context(), List.of(new byte[] {1, 2, 3})));
        assertEquals("source 'arrow(one.arrow)': a position of 3 bytes is not a list of index ranges", e.getMessage());
    }

    private static List<List<List<Object>>> restoredBatches(ArrowIpcSource source, TaskContext context,
                                                            List<byte[]> positions) throws Exception {
        List<List<List<Object>>> batches = new ArrayList<>();
        try (SourceReader reader = source.restoreReader(context, positions)) {
            RecordBatch batch;
            while ((batch = reader.next()) != null) {
                batches.add(Connectors.rows(batch));
            }
            assertTrue(reader.isFinished());
        }
        return batches;
    }

    @Test
    void aSubtaskReusesOneBatchWhoseBuffersItOwns() throws Exception {
        Path file = numbers(dir.resolve("two.arrow"), batchOf(1, 2), batchOf(3));
        try (SourceReader reader = new ArrowIpcSource(file).createReader(context())) {
            RecordBatch first = reader.next();
            assertEquals(asLists(batchOf(1, 2)), Connectors.rows(first));
            RecordBatch second = reader.next();
            assertSame(first, second);
            assertEquals(asLists(batchOf(3)), Connectors.rows(second));
            assertNull(reader.next());
            assertTrue(reader.isFinished());
        }
    }

    @Test
    void aTruncatedFileFailsNamingTheFile() throws Exception {
        Path file = numbers(dir.resolve("cut.arrow"), batchOf(1, 2, 3), batchOf(4, 5));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() / 2);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ArrowIpcSource(file));
        assertTrue(e.getMessage().startsWith(file + ": not an Arrow IPC file, or a truncated one (missing Magic"),
                e.getMessage());
    }

    @Test
    void aFileOfOtherBytesFailsNamingTheFile() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.arrow"), "these are not the bytes of an Arrow IPC file\n");
        assertEquals(text + ": not an Arrow IPC file, or a truncated one"
                        + " (missing Magic number [32, 73, 80, 67, 32, 102, 105, 108, 101, 10])",
                assertThrows(IllegalArgumentException.class, () -> new ArrowIpcSource(text)).getMessage());
        Path empty = Files.write(dir.resolve("empty.arrow"), new byte[0]);
        assertEquals(empty + ": not an Arrow IPC file, or a truncated one (file too small: 0)",
                assertThrows(IllegalArgumentException.class, () -> new ArrowIpcSource(empty)).getMessage());
    }

    @Test
    void aDamagedRecordBatchFailsNamingTheFileAndTheBatch() throws Exception {
        Path file = numbers(dir.resolve("damaged.arrow"), batchOf(1), batchOf(2), batchOf(3));
        ArrowBlock block;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
             ArrowFileReader reader = new ArrowFileReader(channel, allocator)) {
            block = reader.getRecordBlocks().get(1);
        }
        byte[] garbage = new byte[block.getMetadataLength()];
        Arrays.fill(garbage, (byte) 0x7F);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(garbage), block.getOffset());
        }
        ArrowIpcSource source = new ArrowIpcSource(file);
        try (SourceReader reader = source.createReader(context())) {
            assertEquals(asLists(batchOf(1)), Connectors.rows(reader.next()));
            IOException e = assertThrows(IOException.class, reader::next);
            assertEquals(file + ": record batch 1 of 3 is unreadable (java.lang.IndexOutOfBoundsException)",
                    e.getMessage());
        }
    }

    @Test
    void aColumnOfAnotherTypeFailsNamingTheFileAndTheField() throws Exception {
        Path file = dir.resolve("small.arrow");
        try (IntVector ids = new IntVector("id", allocator);
             SmallIntVector small = new SmallIntVector("small", allocator)) {
            ids.setSafe(0, 1);
            small.setSafe(0, 2);
            writeWithArrow(file, List.of(ids, small), null);
        }
        assertEquals(file + ": field 1 ('small'): unsupported Arrow type Int(16, true); Riffle columns are int32,"
                        + " int64, float64, bool, utf8, binary and timestamp[ms] without time zone",
                assertThrows(IllegalArgumentException.class, () -> new ArrowIpcSource(file)).getMessage());
    }

    @Test
    void aDictionaryEncodedColumnFailsNamingTheFileAndTheField() throws Exception {
        Path file = dir.resolve("dictionary.arrow");
        DictionaryEncoding encoding = new DictionaryEncoding(1L, false, new ArrowType.Int(32, true));
        try (VarCharVector values = new VarCharVector("colors", allocator);
             IntVector indices = (IntVector) new Field("color",
                     new FieldType(true, new ArrowType.Int(32, true), encoding), null).createVector(allocator)) {
            values.setSafe(0, "red".getBytes(StandardCharsets.UTF_8));
            values.setValueCount(1);
            indices.setSafe(0, 0);
            writeWithArrow(file, List.of(indices),
                    new DictionaryProvider.MapDictionaryProvider(new Dictionary(values, encoding)));
        }
        assertEquals(file + ": field 0 ('color') is dictionary-encoded, which Riffle does not read;"
                        + " write it as plain values",
                assertThrows(IllegalArgumentException.class, () -> new ArrowIpcSource(file)).getMessage());
    }

    /** Writes one record batch of {@code vectors} (one row) with Arrow's own writer. */
    static void writeWithArrow(Path file, List<FieldVector> vectors, DictionaryProvider dictionaries)
            throws IOException {
        VectorSchemaRoot root = new VectorSchemaRoot(vectors);
        root.setRowCount(1);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             ArrowFileWriter writer = new ArrowFileWriter(root, dictionaries, channel)) {
            writer.start();
            writer.writeBatch();
            writer.end();
        }
    }

    @Test
    void aMissingFileFailsNamingTheFile() {
        Path missing = dir.resolve("missing.arrow");
        assertTrue(assertThrows(RuntimeException.class, () -> new ArrowIpcSource(missing)).getMessage()
                .startsWith(missing + ": cannot open: java.nio.file.NoSuchFileException"));
    }

    @Test
    void aFailedJobLeavesNoFile() throws Exception {
        Path file = dir.resolve("failed.arrow");
        try (SinkWriter writer = new ArrowIpcSink(file).createWriter(NUMBERS, context());
             RecordBatch batch = RecordBatchBuilder.fromRows(NUMBERS, allocator, batchOf(1, 2))) {
            writer.write(batch);
        }
        assertEquals(List.of(), filesIn(dir));
    }

    @Test
    void aPartitionedSinkWritesAPartPerSubtask() throws Exception {
        Path out = dir.resolve("out");
        ArrowIpcSink sink = ArrowIpcSink.partitioned(out);
        assertEquals(0, sink.parallelism());
        assertEquals("arrow(out/part-*.arrow)", sink.name());
        assertEquals(1, new ArrowIpcSink(dir.resolve("one.arrow")).parallelism());
        write(sink, NUMBERS, TestTaskContext.of(allocator, 0, 2, 1024), batchOf(1, 2), batchOf(3));
        write(sink, NUMBERS, TestTaskContext.of(allocator, 1, 2, 1024), batchOf(4));
        assertEquals(List.of("part-0.arrow", "part-1.arrow"), filesIn(out));
        assertEquals(asLists(batchOf(1, 2, 3)),
                readRows(new ArrowIpcSource(out.resolve("part-0.arrow")), context()));
        assertEquals(asLists(batchOf(4)),
                readRows(new ArrowIpcSource(out.resolve("part-1.arrow")), context()));
    }

    @Test
    void writesOnlyTheSelectedRows() throws Exception {
        Path file = dir.resolve("selected.arrow");
        try (SinkWriter writer = new ArrowIpcSink(file).createWriter(NUMBERS, context());
             RecordBatch batch = RecordBatchBuilder.fromRows(NUMBERS, allocator, batchOf(1, 2, 3, 4))) {
            SelectionVector selection = new SelectionVector(4);
            selection.rows()[0] = 0;
            selection.rows()[1] = 2;
            selection.setSize(2);
            batch.select(selection);
            writer.write(batch);
            batch.select(null);
            writer.write(batch);
            writer.finish();
        }
        assertEquals(List.of(asLists(batchOf(1, 3)), asLists(batchOf(1, 2, 3, 4))),
                readBatches(new ArrowIpcSource(file), context()));
    }
}
