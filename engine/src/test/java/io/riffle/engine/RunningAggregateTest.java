package io.riffle.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.engine.internal.connector.GeneratorSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Running aggregates on a keyed stream emit what Flink 2.2's emit. {@code sum}/{@code min}/{@code max} (and
 * {@code avg}) keep the key's first record's other fields; {@code minBy}/{@code maxBy} emit the whole record
 * holding the extreme value. The expected outputs of the small programs are what Flink printed for the same
 * input ({@code keyBy(t -> t.f0).sum(1)} etc. on {@code Tuple3<Integer, Integer, Long>}, parallelism 1);
 * across failures and rescaling the first records come back with the rest of the state.
 */
@Timeout(120)
class RunningAggregateTest {
    private static final BatchSchema READINGS = BatchSchema.of(Column.of("sensor", ColumnType.INT32),
            Column.of("reading", ColumnType.INT32), Column.of("ts", ColumnType.INT64));
    /** Two keys interleaved, with ties and a new minimum last. */
    private static final List<Tuple> INTERLEAVED = List.of(Tuple.of(3, 1, 20000L), Tuple.of(3, 2, 21000L),
            Tuple.of(3, 3, 20500L), Tuple.of(4, 5, 1L), Tuple.of(3, 3, 22000L), Tuple.of(4, 2, 2L), Tuple.of(3, 0, 23000L));

    @TempDir
    Path dir;

    private static List<Tuple> run(Environment env, List<Tuple> input, Function<KeyedStream, DataStream> aggregation) {
        return aggregation.apply(env.fromCollection(input, READINGS).keyBy(0)).executeAndCollect();
    }

    private static List<Tuple> streaming(List<Tuple> input, Function<KeyedStream, DataStream> aggregation) {
        return run(Environment.streaming().setParallelism(1), input, aggregation);
    }

    @Test
    void sumKeepsTheFirstRecordsOtherFieldsAsFlinkDoes() {
        List<Tuple> input = List.of(Tuple.of(3, 1, 20000L), Tuple.of(3, 2, 21000L), Tuple.of(3, 3, 20500L));
        assertEquals(List.of(Tuple.of(3, 1L, 20000L), Tuple.of(3, 3L, 20000L), Tuple.of(3, 6L, 20000L)),
                streaming(input, k -> k.sum(1)));
    }

    @Test
    void sumMinAndMaxOfInterleavedKeysEmitFlinksRecords() {
        assertEquals(List.of(Tuple.of(3, 1L, 20000L), Tuple.of(3, 3L, 20000L), Tuple.of(3, 6L, 20000L),
                Tuple.of(4, 5L, 1L), Tuple.of(3, 9L, 20000L), Tuple.of(4, 7L, 1L), Tuple.of(3, 9L, 20000L)),
                streaming(INTERLEAVED, k -> k.sum(1)));
        assertEquals(List.of(Tuple.of(3, 1, 20000L), Tuple.of(3, 1, 20000L), Tuple.of(3, 1, 20000L),
                Tuple.of(4, 5, 1L), Tuple.of(3, 1, 20000L), Tuple.of(4, 2, 1L), Tuple.of(3, 0, 20000L)),
                streaming(INTERLEAVED, k -> k.min(1)));
        assertEquals(List.of(Tuple.of(3, 1, 20000L), Tuple.of(3, 2, 20000L), Tuple.of(3, 3, 20000L),
                Tuple.of(4, 5, 1L), Tuple.of(3, 3, 20000L), Tuple.of(4, 5, 1L), Tuple.of(3, 3, 20000L)),
                streaming(INTERLEAVED, k -> k.max("reading")));
    }

    /** Riffle's own avg follows the same rule: the running mean in the key's first record. */
    @Test
    void avgKeepsTheFirstRecordsOtherFieldsToo() {
        assertEquals(List.of(Tuple.of(3, 1.0, 20000L), Tuple.of(3, 1.5, 20000L), Tuple.of(3, 2.0, 20000L),
                Tuple.of(4, 5.0, 1L), Tuple.of(3, 2.25, 20000L), Tuple.of(4, 3.5, 1L), Tuple.of(3, 1.8, 20000L)),
                streaming(INTERLEAVED, k -> k.avg(1)));
    }

    @Test
    void minByAndMaxByEmitTheWholeRecordWithTheExtremeKeepingTheEarlierOnATie() {
        assertEquals(List.of(Tuple.of(3, 1, 20000L), Tuple.of(3, 1, 20000L), Tuple.of(3, 1, 20000L),
                Tuple.of(4, 5, 1L), Tuple.of(3, 1, 20000L), Tuple.of(4, 2, 2L), Tuple.of(3, 0, 23000L)),
                streaming(INTERLEAVED, k -> k.minBy(1)));
        assertEquals(List.of(Tuple.of(3, 1, 20000L), Tuple.of(3, 2, 21000L), Tuple.of(3, 3, 20500L),
                Tuple.of(4, 5, 1L), Tuple.of(3, 3, 20500L), Tuple.of(4, 5, 1L), Tuple.of(3, 3, 20500L)),
                streaming(INTERLEAVED, k -> k.maxBy("reading")));
    }

    @Test
    void minByAndMaxByWithFirstFalseTakeTheLaterRecordOnATie() {
        assertEquals(List.of(Tuple.of(3, 1, 20000L), Tuple.of(3, 2, 21000L), Tuple.of(3, 3, 20500L),
                Tuple.of(4, 5, 1L), Tuple.of(3, 3, 22000L), Tuple.of(4, 5, 1L), Tuple.of(3, 3, 22000L)),
                streaming(INTERLEAVED, k -> k.maxBy(1, false)));
        List<Tuple> tied = List.of(Tuple.of(1, 7, 1L), Tuple.of(1, 7, 2L), Tuple.of(1, 8, 3L));
        assertEquals(List.of(Tuple.of(1, 7, 1L), Tuple.of(1, 7, 2L), Tuple.of(1, 7, 2L)),
                streaming(tied, k -> k.minBy("reading", false)));
        assertEquals(List.of(Tuple.of(1, 7, 1L), Tuple.of(1, 7, 1L), Tuple.of(1, 7, 1L)),
                streaming(tied, k -> k.minBy("reading", true)));
    }

    /** Batch mode runs the same reduce and emits each key's final record, as Flink's BATCH runtime mode does. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void minByAndMaxByInBatchModeEmitEachKeysFinalRecord(int p) {
        Environment env = Environment.batch().setParallelism(p);
        assertEquals(List.of(Tuple.of(3, 0, 23000L), Tuple.of(4, 2, 2L)),
                TupleLists.sorted(run(env, INTERLEAVED, k -> k.minBy(1))));
        assertEquals(List.of(Tuple.of(3, 3, 20500L), Tuple.of(4, 5, 1L)),
                TupleLists.sorted(run(Environment.batch().setParallelism(p), INTERLEAVED, k -> k.maxBy(1))));
        assertEquals(List.of(Tuple.of(3, 9L), Tuple.of(4, 7L)),
                TupleLists.sorted(run(Environment.batch().setParallelism(p), INTERLEAVED, k -> k.sum(1))),
                "batch sum stays one (key, sum) row per key");
    }

    /** Keys spread over both subtasks: per key, the same records as at parallelism 1. */
    @Test
    void atParallelismTwoEachKeyGetsTheSameRecords() {
        List<Tuple> input = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            input.add(Tuple.of(i % 37, (i * 7919) % 101, 1000L + i));
        }
        for (Function<KeyedStream, DataStream> aggregation : List.<Function<KeyedStream, DataStream>>of(
                k -> k.sum(1), k -> k.min(1), k -> k.maxBy(1))) {
            List<Tuple> one = streaming(input, aggregation);
            List<Tuple> two = run(Environment.streaming().setParallelism(2).setBatchSize(64), input, aggregation);
            assertEquals(perKey(one), perKey(two));
        }
    }

    /**
     * Nullable fields: a first record's null stays null in every later output, a later record's value does not
     * replace it, and a null value is left out of the sum (null until the key has a value).
     */
    @Test
    void nullsInTheFirstRecordStayAndNullValuesAreSkipped() {
        BatchSchema schema = BatchSchema.of(Column.of("k", ColumnType.UTF8), Column.nullable("v", ColumnType.INT64),
                Column.nullable("note", ColumnType.UTF8), Column.nullable("at", ColumnType.INT64));
        List<Tuple> input = List.of(Tuple.of("a", null, null, 5L), Tuple.of("b", 2L, "bee", null),
                Tuple.of("a", 3L, "later", 6L), Tuple.of("b", null, "again", 7L), Tuple.of("a", 4L, null, null));
        List<Tuple> out = Environment.streaming().setParallelism(1).fromCollection(input, schema).keyBy("k")
                .sum("v").executeAndCollect();
        assertEquals(List.of(Tuple.of("a", null, null, 5L), Tuple.of("b", 2L, "bee", null),
                Tuple.of("a", 3L, null, 5L), Tuple.of("b", 2L, "bee", null), Tuple.of("a", 7L, null, 5L)), out);
    }

    /**
     * Two 8-byte fields kept, in batches of two: one is written by the sum's own pass, the other gathered; once
     * a first record holds a null in the first of them, the other takes its place and the nullable one is gathered.
     */
    @Test
    void keptFieldsAreTheFirstRecordsWhicheverWayEachIsWritten() {
        BatchSchema schema = BatchSchema.of(Column.of("k", ColumnType.INT64), Column.of("v", ColumnType.INT64),
                Column.nullable("a", ColumnType.INT64), Column.of("b", ColumnType.FLOAT64));
        List<Tuple> input = List.of(Tuple.of(1L, 10L, 100L, 0.5), Tuple.of(2L, 20L, 200L, 1.5),
                Tuple.of(1L, 30L, 999L, 9.9), Tuple.of(3L, 40L, null, 2.5), Tuple.of(2L, 50L, 7L, 7.7),
                Tuple.of(3L, 60L, 8L, 8.8));
        List<Tuple> out = Environment.streaming().setParallelism(1).setBatchSize(2).fromCollection(input, schema)
                .keyBy("k").sum("v").executeAndCollect();
        assertEquals(List.of(Tuple.of(1L, 10L, 100L, 0.5), Tuple.of(2L, 20L, 200L, 1.5), Tuple.of(1L, 40L, 100L, 0.5),
                Tuple.of(3L, 40L, null, 2.5), Tuple.of(2L, 70L, 200L, 1.5), Tuple.of(3L, 100L, null, 2.5)), out);
    }

    // ---- recovery and rescaling: the first records are state like the sums

    private static final long RECORDS = 30_000;
    /** More keys than records in the first half, so that checkpoints come while first records are still appended. */
    private static final int KEYS = 20_000;
    private static final BatchSchema TAGGED = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("value", ColumnType.INT64), Column.of("timestamp", ColumnType.TIMESTAMP_MS),
            Column.of("tag", ColumnType.UTF8));

    private static Environment env(int p) {
        return Environment.streaming().setParallelism(p).setBatchSize(64).setChannelCapacity(8);
    }

    /** Generator records {@code (i mod KEYS, i, i ms)} with a utf8 field {@code "t" + i}, summed per key. */
    private static void taggedSums(Environment env, SourceGate gate, List<Tuple> out) {
        env.fromSource(gate.wrap(new GeneratorSource(RECORDS, KEYS)))
                .map(r -> Tuple.of(r.getLong(0), r.getLong(1), r.field(2), "t" + r.getLong(1)), TAGGED)
                .keyBy("key").sum("value").collect(out);
    }

    /** Flink's output at parallelism 1: the running sum in each key's first record {@code (k, k, k ms, "tk")}. */
    private static List<Tuple> flinkTaggedSums() {
        long[] sums = new long[KEYS];
        List<Tuple> expected = new ArrayList<>();
        for (long i = 0; i < RECORDS; i++) {
            int k = (int) (i % KEYS);
            sums[k] += i;
            expected.add(Tuple.of((long) k, sums[k], Instant.ofEpochMilli(k), "t" + k));
        }
        return expected;
    }

    @Test
    void recoveryFromCheckpointsMidStreamEmitsExactlyFlinksRecords() throws Exception {
        List<Tuple> expected = flinkTaggedSums();
        for (int seed = 0; seed < 3; seed++) {
            RecoveryScript script = RecoveryScript.random(seed * 31L + 7, 1 + seed, RECORDS, "keyBy(key).sum(value)",
                    "collect");
            Environment env = script.configure(env(1), dir.resolve("recovery-" + seed));
            List<Tuple> out = new ArrayList<>();
            taggedSums(env, script.gate(), out);
            script.run(env, "tagged sums");
            if (!expected.equals(out)) {
                throw new AssertionError(script + ": " + out.size() + " records committed; first difference at "
                        + firstDifference(expected, out));
            }
        }
    }

    /**
     * Savepoints restored at 2, then 4, then 1: each key's first record is read back by key group with its
     * sum, so every output of a key carries the same first record, one of that key's own.
     */
    @Test
    void restoringAtAnotherParallelismKeepsEachKeysFirstRecord() throws Exception {
        List<Tuple> all = SavepointRescale.run(dir.resolve("rescale"), new int[] {2, 4, 1},
                RunningAggregateTest::env, RECORDS / 6, RunningAggregateTest::taggedSums);
        assertEquals(RECORDS, all.size());
        Map<Object, List<Tuple>> byKey = perKey(all);
        assertEquals(KEYS, byKey.size());
        for (Map.Entry<Object, List<Tuple>> e : byKey.entrySet()) {
            long key = (Long) e.getKey();
            Tuple first = e.getValue().get(0);
            long ts = ((Instant) first.field(2)).toEpochMilli();
            assertEquals(key, ts % KEYS, "key " + key + " carries another key's record " + first);
            assertEquals("t" + ts, first.field(3), "key " + key);
            long total = 0;
            for (Tuple t : e.getValue()) {
                assertEquals(List.of(first.field(2), first.field(3)), List.of(t.field(2), t.field(3)),
                        "key " + key + ": every output keeps the first record's fields");
                total = Math.max(total, t.getLong(1));
            }
            long expectedTotal = 0;
            for (long i = key; i < RECORDS; i += KEYS) {
                expectedTotal += i;
            }
            assertEquals(expectedTotal, total, "key " + key);
        }
    }

    private static Map<Object, List<Tuple>> perKey(List<Tuple> rows) {
        Map<Object, List<Tuple>> out = new HashMap<>();
        for (Tuple t : rows) {
            out.computeIfAbsent(t.field(0), k -> new ArrayList<>()).add(t);
        }
        return out;
    }

    private static String firstDifference(List<Tuple> expected, List<Tuple> actual) {
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            if (!expected.get(i).equals(actual.get(i))) {
                return "record " + i + ": expected " + expected.get(i) + ", got " + actual.get(i);
            }
        }
        return "record " + Math.min(expected.size(), actual.size()) + " (lengths " + expected.size() + " and "
                + actual.size() + ")";
    }
}
