package io.riffle.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.RecordBatchBuilder;
import io.riffle.columnar.hash.Aggregate;
import io.riffle.columnar.hash.GroupBySpec;
import io.riffle.columnar.hash.OffHeapHashTable;
import io.riffle.engine.Environment;
import io.riffle.engine.Tuple;
import io.riffle.engine.WatermarkStrategy;
import io.riffle.engine.Windows;
import io.riffle.engine.connector.file.TransactionalCsvSink;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's columnar example, so that it keeps compiling and printing what the README says. */
class ReadmeExampleTest {
    @Test
    void readmeExamplePrintsTheSeedBatchResult() {
        StringBuilder printed = new StringBuilder();
        BatchSchema schema = BatchSchema.of(Column.of("word", ColumnType.UTF8), Column.of("count", ColumnType.INT64));
        try (BufferAllocator allocator = new RootAllocator();
             RecordBatch batch = RecordBatchBuilder.fromRows(schema, allocator,
                     new Object[] {"apple", 1L}, new Object[] {"banana", 2L}, new Object[] {"apple", 3L},
                     new Object[] {"banana", 4L}, new Object[] {"apple", 5L});
             OffHeapHashTable table = new OffHeapHashTable(
                     GroupBySpec.of(schema, "word", Aggregate.sum("count")), allocator, 64L << 20)) {
            table.aggregate(batch);
            try (RecordBatch result = table.emit(0, table.groupCount(), allocator)) {
                printed.append(result.format(10));
            }
        }
        assertEquals("(apple,9)\n(banana,6)\n", printed.toString());
    }

    /** The README's windows example, smaller: 5 windows of 100 s over 1 000 keys, committed exactly once. */
    @Test
    void readmeWindowsExampleCommitsEveryWindowOnce(@TempDir Path dir) throws IOException {
        Environment env = Environment.streaming().enableCheckpointing(Duration.ofSeconds(1), dir.resolve("ckpt"));
        env.generate(500_000, 1_000)
           .assignTimestampsAndWatermarks(WatermarkStrategy.boundedOutOfOrderness("timestamp", Duration.ofSeconds(5)))
           .keyBy("key").window(Windows.tumbling(Duration.ofSeconds(100))).sum("value")
           .addSink(new TransactionalCsvSink(dir.resolve("out")));
        env.execute();
        List<String> rows = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir.resolve("out"))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                assertTrue(f.toString().endsWith(".csv"), f + " is not committed");
                List<String> lines = Files.readAllLines(f);
                rows.addAll(lines.subList(1, lines.size()));
            }
        }
        assertEquals(5_000, rows.size());
        // Key 7's first window: 7 + 1007 + ... + 99007.
        long sum = 0;
        for (long i = 7; i < 100_000; i += 1_000) {
            sum += i;
        }
        assertTrue(rows.contains("7,1970-01-01T00:00:00Z,1970-01-01T00:01:40Z," + sum), rows.subList(0, 3).toString());
    }

    /** The README's sessions example, as written there. */
    @Test
    void readmeSessionsExampleMergesEachUsersClicks() {
        Environment env = Environment.streaming().setParallelism(2);
        List<Tuple> sessions = env.fromCollection(List.of(
                        Tuple.of("ann", 1L, Instant.ofEpochSecond(0)), Tuple.of("bob", 1L, Instant.ofEpochSecond(5)),
                        Tuple.of("ann", 1L, Instant.ofEpochSecond(20)), Tuple.of("ann", 1L, Instant.ofEpochSecond(100))),
                        "user", "clicks", "time")
                .assignTimestampsAndWatermarks(WatermarkStrategy.monotonousTimestamps("time"))
                .keyBy("user").window(Windows.session(Duration.ofSeconds(30))).sum("clicks")
                .executeAndCollect();
        sessions.sort(Comparator.comparing(Tuple::toString));
        assertEquals("[(ann,1970-01-01T00:00:00Z,1970-01-01T00:00:50Z,2), (ann,1970-01-01T00:01:40Z,1970-01-01T00:02:10Z,1),"
                + " (bob,1970-01-01T00:00:05Z,1970-01-01T00:00:35Z,1)]", sessions.toString());
    }
}
