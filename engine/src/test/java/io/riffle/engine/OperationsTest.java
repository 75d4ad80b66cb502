package io.riffle.engine;

import static io.riffle.engine.TupleLists.sorted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.hash.Aggregate;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every operation at parallelism 1, 2 and 4 against a plain-Java reference over random data: exact
 * results for batch (as sets of rows), exact per-key sequences for streaming (order is kept per key).
 * Small batches and channels force many batches, full rings and back-pressure.
 */
class OperationsTest {
    private static final BatchSchema SCHEMA = BatchSchema.of(Column.of("word", ColumnType.UTF8),
            Column.of("n", ColumnType.INT64), Column.of("x", ColumnType.FLOAT64), Column.of("small", ColumnType.INT32));

    private static List<Tuple> data(long seed, int rows) {
        Random r = new Random(seed);
        List<Tuple> out = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            int k = (int) Math.min(49, Math.abs(r.nextGaussian() * 12));
            out.add(Tuple.of("w" + k, (long) r.nextInt(1000) - 300, r.nextInt(2000) / 8.0, r.nextInt(100)));
        }
        return out;
    }

    private static Environment env(Environment env, int parallelism) {
        return env.setParallelism(parallelism).setBatchSize(7).setChannelCapacity(4);
    }

    private static Map<Object, List<Tuple>> byKey(List<Tuple> rows) {
        Map<Object, List<Tuple>> out = new HashMap<>();
        for (Tuple t : rows) {
            out.computeIfAbsent(t.field(0), k -> new ArrayList<>()).add(t);
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void mapFilterFlatMapAndUnionMatchTheReference(int p) {
        List<Tuple> input = data(p, 3000);
        Environment env = env(Environment.batch(), p);
        DataStream s = env.fromCollection(input, SCHEMA);
        BatchSchema pair = BatchSchema.of(Column.of("word", ColumnType.UTF8), Column.of("twice", ColumnType.INT64));
        DataStream mapped = s.rebalance().map(r -> Tuple.of(r.getString(0), r.getLong(1) * 2), pair);
        DataStream filtered = mapped.filter(r -> r.getLong(1) > 0);
        DataStream flat = s.flatMap((r, out) -> {
            for (int i = 0; i < r.getInt(3) % 3; i++) {
                out.collect(r.getString(0) + "#" + i, (long) i);
            }
        }, pair);
        List<Tuple> result = filtered.union(flat).executeAndCollect();

        List<Tuple> expected = new ArrayList<>();
        for (Tuple t : input) {
            if (t.getLong(1) * 2 > 0) {
                expected.add(Tuple.of(t.getString(0), t.getLong(1) * 2));
            }
        }
        for (Tuple t : input) {
            for (int i = 0; i < t.getInt(3) % 3; i++) {
                expected.add(Tuple.of(t.getString(0) + "#" + i, (long) i));
            }
        }
        assertEquals(sorted(expected), sorted(result));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void batchAggregationsGiveOneRowPerKey(int p) {
        List<Tuple> input = data(10 + p, 5000);
        Map<String, long[]> ref = new LinkedHashMap<>();
        Map<String, double[]> refX = new LinkedHashMap<>();
        for (Tuple t : input) {
            long[] a = ref.computeIfAbsent(t.getString(0), k -> new long[] {0, 0, Long.MAX_VALUE, Long.MIN_VALUE, 0});
            a[0] += t.getLong(1);
            a[1]++;
            a[2] = Math.min(a[2], t.getLong(1));
            a[3] = Math.max(a[3], t.getInt(3));
            a[4] += t.getInt(3);
            refX.computeIfAbsent(t.getString(0), k -> new double[1])[0] += t.getDouble(2);
        }
        List<Tuple> sums = new ArrayList<>();
        List<Tuple> all = new ArrayList<>();
        List<Tuple> avgs = new ArrayList<>();
        Environment env = env(Environment.batch(), p);
        DataStream s = env.fromCollection(input, SCHEMA);
        s.groupBy("word").sum("n").collect(sums);
        s.groupBy(0).aggregate(Aggregate.count(), Aggregate.min("n"), Aggregate.max("small"), Aggregate.sum("x"))
                .collect(all);
        s.groupBy(0).avg("small").collect(avgs);
        env.execute();

        List<Tuple> expectSums = new ArrayList<>();
        List<Tuple> expectAll = new ArrayList<>();
        List<Tuple> expectAvgs = new ArrayList<>();
        for (Map.Entry<String, long[]> e : ref.entrySet()) {
            long[] a = e.getValue();
            expectSums.add(Tuple.of(e.getKey(), a[0]));
            expectAll.add(Tuple.of(e.getKey(), a[1], a[2], (int) a[3], refX.get(e.getKey())[0]));
            expectAvgs.add(Tuple.of(e.getKey(), (double) a[4] / a[1]));
        }
        assertEquals(sorted(expectSums), sorted(sums));
        assertEquals(sorted(expectAll), sorted(all));
        assertEquals(sorted(expectAvgs), sorted(avgs));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void streamingAggregationsEmitRunningValuesInOrderPerKey(int p) {
        List<Tuple> input = data(20 + p, 4000);
        Map<String, long[]> state = new HashMap<>();
        List<Tuple> expectSum = new ArrayList<>();
        List<Tuple> expectMax = new ArrayList<>();
        List<Tuple> expectCount = new ArrayList<>();
        List<Tuple> expectReduce = new ArrayList<>();
        Map<String, Tuple> firstRecords = new HashMap<>();
        for (Tuple t : input) {
            long[] a = state.computeIfAbsent(t.getString(0), k -> new long[] {0, Integer.MIN_VALUE, 0, 0});
            a[0] += t.getLong(1);
            a[1] = Math.max(a[1], t.getInt(3));
            a[2]++;
            a[3] += t.getInt(3);
            // sum and max keep the other fields of the key's first record, as Flink's do.
            Tuple first = firstRecords.computeIfAbsent(t.getString(0), k -> t);
            expectSum.add(Tuple.of(t.field(0), a[0], first.field(2), first.field(3)));
            expectMax.add(Tuple.of(t.field(0), first.field(1), first.field(2), (int) a[1]));
            expectCount.add(Tuple.of(t.field(0), a[2]));
            expectReduce.add(Tuple.of(t.field(0), t.field(1), t.field(2), (int) a[3]));
        }
        List<Tuple> sums = new ArrayList<>();
        List<Tuple> maxes = new ArrayList<>();
        List<Tuple> counts = new ArrayList<>();
        List<Tuple> reduced = new ArrayList<>();
        Environment env = env(Environment.streaming(), p);
        DataStream s = env.fromCollection(input, SCHEMA);
        s.keyBy("word").sum("n").collect(sums);
        s.keyBy(0).max(3).collect(maxes);
        s.keyBy(0).count().collect(counts);
        s.keyBy(0).reduce((acc, next) -> Tuple.of(next.field(0), next.field(1), next.field(2),
                acc.getInt(3) + next.getInt(3))).collect(reduced);
        env.execute();
        assertEquals(byKey(expectSum), byKey(sums));
        assertEquals(byKey(expectMax), byKey(maxes));
        assertEquals(byKey(expectCount), byKey(counts));
        assertEquals(byKey(expectReduce), byKey(reduced));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void generatedWorkloadsGiveExactSums(int p) {
        Environment batch = env(Environment.batch(), p).setBatchSize(1000);
        List<Tuple> w2 = batch.generate(100_003, 97).groupBy("key").sum("value").executeAndCollect();
        assertEquals(97, w2.size());
        for (Tuple t : w2) {
            long key = t.getLong(0);
            long sum = 0;
            for (long i = key; i < 100_003; i += 97) {
                sum += i;
            }
            assertEquals(sum, t.getLong(1), "key " + key);
        }
        // Generator subtask s of p produces records s, s + p, ...; records of one key from different subtasks
        // may interleave (as in Flink), so check the running sums along the order they arrived in.
        Environment stream = env(Environment.streaming(), p).setBatchSize(1000);
        List<Tuple> w1 = stream.generate(20_000, 7).keyBy(0).sum(1).executeAndCollect();
        assertEquals(20_000, w1.size());
        Map<Object, List<Tuple>> perKey = byKey(w1);
        for (long k = 0; k < 7; k++) {
            long sum = 0;
            long[] lastPerRange = new long[p];
            java.util.Arrays.fill(lastPerRange, -1);
            List<Long> seen = new ArrayList<>();
            Object firstTimestamp = perKey.get(k).get(0).field(2);
            for (Tuple t : perKey.get(k)) {
                // Each step of the running sum is the value i of the record that made it.
                long i = t.getLong(1) - sum;
                int range = (int) (i % p);
                assertTrue(i > lastPerRange[range], "records of one source subtask stay in order");
                lastPerRange[range] = i;
                sum += i;
                assertEquals(firstTimestamp, t.field(2), "every running sum keeps the key's first timestamp");
                seen.add(i);
            }
            assertEquals(java.time.Instant.ofEpochMilli(seen.get(0)), firstTimestamp);
            List<Long> expected = new ArrayList<>();
            for (long i = k; i < 20_000; i += 7) {
                expected.add(i);
            }
            seen.sort(Long::compare);
            assertEquals(expected, seen);
        }
    }
}
