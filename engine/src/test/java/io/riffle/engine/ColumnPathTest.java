package io.riffle.engine;

import static io.riffle.engine.expr.Expr.col;
import static io.riffle.engine.TupleLists.sorted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.engine.connector.file.ArrowIpcSink;
import io.riffle.engine.connector.file.CsvSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The vectorized column path ({@code select}, {@code where}) and the file sinks and sources, as jobs at
 * parallelism 1, 2 and 4 against a plain-Java reference.
 */
class ColumnPathTest {
    private static final BatchSchema SCHEMA = BatchSchema.of(Column.of("word", ColumnType.UTF8),
            Column.nullable("n", ColumnType.INT64), Column.of("x", ColumnType.FLOAT64),
            Column.of("at", ColumnType.TIMESTAMP_MS));

    @TempDir
    Path dir;

    private static List<Tuple> data(long seed, int rows) {
        Random r = new Random(seed);
        List<Tuple> out = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            Long n = r.nextInt(10) == 0 ? null : (long) r.nextInt(1000) - 300;
            out.add(Tuple.of("w" + r.nextInt(40) + (r.nextInt(20) == 0 ? ", \"quoted\"" : ""), n,
                    r.nextInt(2000) / 8.0, Instant.ofEpochMilli(r.nextInt(1_000_000))));
        }
        return out;
    }

    private static Environment env(int parallelism) {
        return Environment.batch().setParallelism(parallelism).setBatchSize(7).setChannelCapacity(4);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void whereAndSelectMatchTheReference(int p) {
        List<Tuple> input = data(p, 3000);
        List<Tuple> result = env(p).fromCollection(input, SCHEMA).rebalance()
                .where(col("n").gt(0).and(col("word").ne("w7")).or(col("x").ge(240.0)))
                .select(col("word"), col("n").times(2).plus(col("x")).as("score"), col("n").isNull().as("missing"))
                .executeAndCollect();

        List<Tuple> expected = new ArrayList<>();
        for (Tuple t : input) {
            Long n = (Long) t.field(1);
            Boolean left = n == null ? null : n > 0 && !t.getString(0).equals("w7");
            boolean keep = Boolean.TRUE.equals(left) || t.getDouble(2) >= 240.0;
            if (keep) {
                expected.add(Tuple.of(t.getString(0), n == null ? null : n * 2 + t.getDouble(2), n == null));
            }
        }
        assertEquals(sorted(expected), sorted(result));
    }

    @Test
    void selectNamesItsColumnsAndFeedsAKeyedSum() {
        DataStream s = env(2).generate(10_000, 10).where(col("value").mod(3).eq(0))
                .select(col("key"), col("value").times(2).as("twice"));
        assertEquals("(key: int64, twice: int64)", s.schema().toString());
        List<Tuple> result = s.groupBy("key").sum("twice").executeAndCollect();
        long[] sums = new long[10];
        for (long i = 0; i < 10_000; i++) {
            if (i % 3 == 0) {
                sums[(int) (i % 10)] += 2 * i;
            }
        }
        List<Tuple> expected = new ArrayList<>();
        for (int k = 0; k < 10; k++) {
            expected.add(Tuple.of((long) k, sums[k]));
        }
        assertEquals(sorted(expected), sorted(result));
    }

    @Test
    void aWrongFieldOrTypeFailsWhenTheOperationIsCalled() {
        DataStream s = env(1).fromCollection(data(1, 10), SCHEMA);
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> s.select(col("word"), col("count").plus(1)));
        assertEquals("no field named 'count': the schema has (word: utf8, n: int64, x: float64, at: timestamp[ms])",
                missing.getMessage());
        IllegalArgumentException notBool = assertThrows(IllegalArgumentException.class, () -> s.where(col("n").plus(1)));
        assertEquals("a filter needs a bool predicate, but n + 1 is int64", notBool.getMessage());
        IllegalArgumentException text = assertThrows(IllegalArgumentException.class, () -> s.select(col("word").times(2)));
        assertEquals("word * 2: arithmetic needs numeric fields, but field 0 ('word') is utf8", text.getMessage());
        IllegalArgumentException clash = assertThrows(IllegalArgumentException.class,
                () -> s.select(col("word"), col("n").as("word")));
        assertTrue(clash.getMessage().endsWith("; name the columns apart with as(name)"), clash.getMessage());
    }

    @Test
    void integerDivisionByZeroFailsTheJobNamingTheOperator() {
        Environment env = env(2);
        env.generate(1000, 10).select(col("value").div(col("key"))).print();
        JobFailedException e = assertThrows(JobFailedException.class, env::execute);
        assertEquals("select((value / key))", e.operator());
        assertTrue(e.getCause() instanceof ArithmeticException, String.valueOf(e.getCause()));
        assertTrue(e.getCause().getMessage().contains("value / key"), e.getCause().getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void csvAndArrowFilesRoundTrip(int p) throws IOException {
        List<Tuple> input = data(10 + p, 2000);
        Path csv = dir.resolve("out.csv");
        Path arrow = dir.resolve("out.arrow");
        Environment write = env(p);
        DataStream s = write.fromCollection(input, SCHEMA).rebalance();
        s.writeCsv(csv);
        s.writeArrow(arrow);
        s.addSink(CsvSink.partitioned(dir.resolve("csv-parts")));
        s.addSink(ArrowIpcSink.partitioned(dir.resolve("arrow-parts")));
        write.execute();

        assertEquals(sorted(input), sorted(env(p).readCsv(csv, SCHEMA).executeAndCollect()));
        assertEquals(sorted(input), sorted(env(p).readArrow(arrow).executeAndCollect()));
        assertEquals(List.of("part-0.arrow", "part-1.arrow", "part-2.arrow", "part-3.arrow").subList(0, p),
                list(dir.resolve("arrow-parts")));
        List<Tuple> parts = new ArrayList<>();
        for (int i = 0; i < p; i++) {
            parts.addAll(env(1).readCsv(dir.resolve("csv-parts").resolve("part-" + i + ".csv"), SCHEMA)
                    .executeAndCollect());
            parts.addAll(env(1).readArrow(dir.resolve("arrow-parts").resolve("part-" + i + ".arrow"))
                    .executeAndCollect());
        }
        List<Tuple> twice = new ArrayList<>(input);
        twice.addAll(input);
        assertEquals(sorted(twice), sorted(parts));
    }

    @Test
    void aFailedJobLeavesNoOutputFile() {
        Path csv = dir.resolve("never.csv");
        Environment env = env(2);
        env.generate(1000, 10).map(r -> {
            if (r.getLong(1) == 700) {
                throw new IllegalStateException("boom at 700");
            }
            return Tuple.of(r.getLong(0), r.getLong(1), r.field(2));
        }).writeCsv(csv);
        JobFailedException e = assertThrows(JobFailedException.class, env::execute);
        assertEquals("boom at 700", e.getCause().getMessage());
        assertEquals(List.of(), list(dir));
    }

    private static List<String> list(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            List<String> names = new ArrayList<>();
            files.forEach(f -> names.add(f.getFileName().toString()));
            names.sort(null);
            return names;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theReadmeOrdersProgram() throws IOException {
        BatchSchema schema = BatchSchema.of(Column.of("customer", ColumnType.UTF8), Column.of("qty", ColumnType.INT32),
                Column.of("price", ColumnType.FLOAT64), Column.of("status", ColumnType.UTF8));
        Path orders = Files.writeString(dir.resolve("orders.csv"), "customer,qty,price,status\n"
                + "ann,2,1.5,paid\nbob,1,10.0,void\nann,0,99.0,paid\nbob,3,2.0,paid\nann,4,0.25,open\n");
        Environment env = Environment.batch();
        env.readCsv(orders, schema)
           .where(col("qty").gt(0).and(col("status").ne("void")))
           .select(col("customer"), col("price").times(col("qty")).as("total"))
           .groupBy("customer").sum("total")
           .writeArrow(dir.resolve("totals.arrow"));
        env.execute();
        assertEquals(List.of(Tuple.of("ann", 4.0), Tuple.of("bob", 6.0)),
                sorted(env.readArrow(dir.resolve("totals.arrow")).executeAndCollect()));
    }

    @Test
    void arrowFileKeepsNullsAndTypes() throws IOException {
        List<Tuple> input = Arrays.asList(Tuple.of("a", null, 1.5, Instant.ofEpochMilli(3)),
                Tuple.of("", 7L, -0.0, Instant.ofEpochMilli(-1)));
        Path arrow = dir.resolve("small.arrow");
        Environment env = env(1);
        env.fromCollection(input, SCHEMA).writeArrow(arrow);
        env.execute();
        DataStream back = env(1).readArrow(arrow);
        assertEquals(SCHEMA, back.schema());
        assertEquals(input, back.executeAndCollect());
    }
}
