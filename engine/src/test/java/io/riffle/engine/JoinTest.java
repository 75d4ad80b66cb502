package io.riffle.engine;

import static io.riffle.engine.TupleLists.sorted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Batch hash joins against a nested-loop reference: duplicates on both sides, absent and null keys. */
@Timeout(60)
class JoinTest {
    private static final BatchSchema ORDERS = BatchSchema.of(Column.of("order", ColumnType.INT64),
            Column.nullable("customer", ColumnType.INT64), Column.of("amount", ColumnType.INT64));
    private static final BatchSchema CUSTOMERS = BatchSchema.of(Column.of("id", ColumnType.INT64),
            Column.nullable("name", ColumnType.UTF8), Column.of("amount", ColumnType.INT64));
    private static final BatchSchema REGIONS = BatchSchema.of(Column.of("id", ColumnType.INT64),
            Column.of("region", ColumnType.UTF8), Column.of("weight", ColumnType.INT64));
    private static final BatchSchema WORDS = BatchSchema.of(Column.of("word", ColumnType.UTF8),
            Column.of("n", ColumnType.INT32));
    private static final BatchSchema MEANINGS = BatchSchema.of(Column.of("meaning", ColumnType.UTF8),
            Column.of("w", ColumnType.UTF8));

    private static List<Tuple> reference(List<Tuple> left, List<Tuple> right, int leftKey, int rightKey,
                                         boolean leftOuter) {
        List<Tuple> out = new ArrayList<>();
        for (Tuple l : left) {
            boolean matched = false;
            for (Tuple r : right) {
                if (l.field(leftKey) != null && Objects.equals(l.field(leftKey), r.field(rightKey))) {
                    matched = true;
                    out.add(concat(l, r, rightKey));
                }
            }
            if (!matched && leftOuter) {
                out.add(concat(l, null, rightKey));
            }
        }
        return out;
    }

    private static Tuple concat(Tuple l, Tuple r, int rightKey) {
        List<Object> fields = new ArrayList<>();
        for (int c = 0; c < l.arity(); c++) {
            fields.add(l.field(c));
        }
        for (int c = 0; c < (r == null ? 3 : r.arity()); c++) {
            if (c != rightKey) {
                fields.add(r == null ? null : r.field(c));
            }
        }
        return Tuple.of(fields.toArray());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void innerAndLeftOuterJoinsMatchTheReference(int p) {
        for (int seed = 0; seed < 8; seed++) {
            Random random = new Random(seed * 31L + p);
            List<Tuple> orders = new ArrayList<>();
            for (long o = 0; o < 500 + random.nextInt(500); o++) {
                Long customer = random.nextInt(20) == 0 ? null : (long) random.nextInt(120);
                orders.add(Tuple.of(o, customer, (long) random.nextInt(1000)));
            }
            List<Tuple> customers = new ArrayList<>();
            for (long id = 0; id < 100; id++) {
                int copies = random.nextInt(10) == 0 ? 2 : random.nextInt(10) == 0 ? 0 : 1;
                for (int c = 0; c < copies; c++) {
                    customers.add(Tuple.of(id, random.nextInt(7) == 0 ? null : "c" + id + "/" + c, id * 10 + c));
                }
            }
            for (int variant = 0; variant < 4; variant++) {
                boolean leftOuter = (variant & 1) != 0;
                boolean broadcast = (variant & 2) != 0;
                Environment env = Environment.batch().setParallelism(p).setBatchSize(1 + random.nextInt(90));
                DataStream o = env.fromCollection(orders, ORDERS);
                DataStream c = env.fromCollection(customers, CUSTOMERS);
                DataStream joined = broadcast
                        ? (leftOuter ? o.broadcastLeftOuterJoin(c, "customer", "id") : o.broadcastJoin(c, "customer", "id"))
                        : (leftOuter ? o.leftOuterJoin(c, "customer", "id") : o.join(c, "customer", "id"));
                List<Tuple> out = joined.executeAndCollect();
                assertEquals(sorted(reference(orders, customers, 1, 0, leftOuter)), sorted(out),
                        "p " + p + ", seed " + seed + (leftOuter ? ", left outer" : ", inner")
                                + (broadcast ? ", broadcast" : ""));
            }
        }
    }

    /** Aggregations after a join, by the join key and by another column, match a reference at every parallelism. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void aggregationsAfterAJoinMatchTheReference(int p) {
        Random random = new Random(p);
        List<Tuple> orders = new ArrayList<>();
        for (long o = 0; o < 3_000; o++) {
            orders.add(Tuple.of(o, (long) random.nextInt(150), (long) random.nextInt(1000)));
        }
        List<Tuple> customers = new ArrayList<>();
        for (long id = 0; id < 100; id++) {
            customers.add(Tuple.of(id, "c" + (id % 7), id));
        }
        Map<Long, Long> byCustomer = new TreeMap<>();
        Map<String, Long> byName = new TreeMap<>();
        for (Tuple o : orders) {
            long customer = o.getLong(1);
            if (customer < 100) {
                byCustomer.merge(customer, o.getLong(2), Long::sum);
                byName.merge("c" + (customer % 7), o.getLong(2), Long::sum);
            }
        }

        Map<Long, Long> sums = new TreeMap<>();
        for (Tuple t : joined(p, orders, customers).groupBy("customer").sum("amount").executeAndCollect()) {
            sums.put(t.getLong(0), t.getLong(1));
        }
        assertEquals(byCustomer, sums, "by the join key at p " + p);

        Map<String, Long> names = new TreeMap<>();
        for (Tuple t : joined(p, orders, customers).groupBy("name").sum("amount").executeAndCollect()) {
            names.put(t.getString(0), t.getLong(1));
        }
        assertEquals(byName, names, "by another column at p " + p);

        // Broadcast: the orders stay where they are; every join subtask holds all customers.
        Environment env = Environment.batch().setParallelism(p).setBatchSize(64);
        DataStream perCustomer = env.fromCollection(orders, ORDERS)
                .broadcastJoin(env.fromCollection(customers, CUSTOMERS).setParallelism(1), "customer", "id")
                .groupBy("customer").sum("amount");
        List<Tuple> out = new ArrayList<>();
        perCustomer.collect(out);
        String plan = env.explain();
        assertTrue(plan.contains("broadcastJoin(customer = id) -> groupBy(customer).sum(amount) (partial)"), plan);
        assertTrue(plan.contains(" <- BROADCAST from 'fromElements'"), plan);
        env.execute();
        Map<Long, Long> broadcastSums = new TreeMap<>();
        for (Tuple t : out) {
            broadcastSums.put(t.getLong(0), t.getLong(1));
        }
        assertEquals(byCustomer, broadcastSums, "broadcast join at p " + p);
    }

    /**
     * Foreign-key joins, where a batch's rows each match exactly one right row, take a shorter path (the left
     * columns copied whole, or passed on as they are when the right side adds no column); batches where a
     * row matches none or two take the general one. Both give the reference's rows.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void keyJoinsWhereEveryRowMatchesOnceMatchTheReference(int p) {
        BatchSchema ids = BatchSchema.of(Column.of("id", ColumnType.INT64));
        Random random = new Random(p * 101L);
        for (int round = 0; round < 12; round++) {
            List<Tuple> orders = new ArrayList<>();
            int customers = 1 + random.nextInt(200);
            for (long o = 0; o < 1_500; o++) {
                // Mostly keys that exist; now and then, in some rounds, one that does not.
                long customer = round % 3 == 0 && random.nextInt(300) == 0 ? customers + 5 : random.nextInt(customers);
                orders.add(Tuple.of(o, customer, (long) random.nextInt(1000)));
            }
            List<Tuple> idRows = new ArrayList<>();
            List<Tuple> named = new ArrayList<>();
            for (long id = 0; id < customers; id++) {
                idRows.add(Tuple.of(id));
                named.add(Tuple.of(id, "c" + id, id * 7));
            }
            if (round % 4 == 1) {
                named.add(Tuple.of(0L, "again", 1L));
                idRows.add(Tuple.of(0L));
            }
            boolean broadcast = round % 2 == 0;
            for (boolean withColumns : new boolean[] {false, true}) {
                Environment env = Environment.batch().setParallelism(p).setBatchSize(1 + random.nextInt(300));
                DataStream o = env.fromCollection(orders, ORDERS);
                DataStream c = withColumns ? env.fromCollection(named, CUSTOMERS) : env.fromCollection(idRows, ids);
                List<Tuple> out = (broadcast ? o.broadcastJoin(c, "customer", "id") : o.join(c, "customer", "id"))
                        .executeAndCollect();
                List<Tuple> want = reference(orders, withColumns ? named : idRows, 1, 0, false);
                assertEquals(sorted(want), sorted(out), "p " + p + ", round " + round
                        + (withColumns ? ", with right columns" : ", keys only") + (broadcast ? ", broadcast" : ""));
            }
        }
    }

    /**
     * A broadcast join runs in its left source's chain, and that subtask reads its source only once the
     * build side has ended: a build source that needs many polls before it ends finds the orders unread.
     * Two joins in one chain (a star join) each get their own build side.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void broadcastJoinsChainOntoTheirLeftSourceWhichWaitsForTheBuildSides(int p) {
        Random random = new Random(p * 17L);
        List<Tuple> orders = new ArrayList<>();
        for (long o = 0; o < 2_000; o++) {
            orders.add(Tuple.of(o, (long) random.nextInt(60), (long) random.nextInt(1000)));
        }
        List<Tuple> customers = new ArrayList<>();
        List<Tuple> regions = new ArrayList<>();
        for (long id = 0; id < 50; id++) {
            customers.add(Tuple.of(id, "c" + id, id * 3));
            if (id % 2 == 0) {
                regions.add(Tuple.of(id, "r" + id % 5, id));
            }
        }
        for (int round = 0; round < 20; round++) {
            Environment env = Environment.batch().setParallelism(p).setBatchSize(1 + random.nextInt(200));
            java.util.concurrent.atomic.AtomicInteger buildsEnded = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger earlyReads = new java.util.concurrent.atomic.AtomicInteger();
            int buildParallelism = 1 + random.nextInt(2);
            int builds = 2 * buildParallelism;
            DataStream o = env.fromSource(new WatchedSource("orders", ORDERS, orders, () -> {
                        if (buildsEnded.get() < builds) {
                            earlyReads.incrementAndGet();
                        }
                    }, null, 0));
            DataStream c = env.fromSource(new WatchedSource("customers", CUSTOMERS, customers, null, buildsEnded,
                    1 + random.nextInt(50))).setParallelism(buildParallelism);
            DataStream r = env.fromSource(new WatchedSource("regions", REGIONS, regions, null, buildsEnded,
                    1 + random.nextInt(50))).setParallelism(buildParallelism);
            DataStream joined = o.broadcastJoin(c, "customer", "id").broadcastLeftOuterJoin(r, "customer", "id");
            List<Tuple> out = new ArrayList<>();
            joined.collect(out);
            String plan = env.explain();
            assertTrue(plan.contains("orders -> broadcastJoin(customer = id) -> broadcastLeftOuterJoin(customer = id)"
                    + " -> collect [parallelism " + p + "]"), plan);
            assertTrue(plan.contains("<- BROADCAST from 'customers' <- BROADCAST from 'regions'"), plan);
            env.execute();
            assertEquals(0, earlyReads.get(), "orders read before the build sides ended, round " + round);
            assertEquals(sorted(reference(reference(orders, customers, 1, 0, false), regions, 1, 0, true)), sorted(out),
                    "p " + p + ", round " + round);
        }
    }

    /**
     * {@code rows} read by subtasks in turns (row i by subtask i mod parallelism); tells {@code onRead} of
     * every batch asked for, counts its readers' ends into {@code ended}, and answers "nothing yet"
     * {@code idlePolls} times before its first batch.
     */
    private record WatchedSource(String name, BatchSchema schema, List<Tuple> rows, Runnable onRead,
                                 java.util.concurrent.atomic.AtomicInteger ended, int idlePolls)
            implements io.riffle.engine.connector.Source {
        @Override
        public io.riffle.engine.connector.SourceReader createReader(io.riffle.engine.connector.TaskContext context) {
            List<Tuple> mine = new ArrayList<>();
            for (int i = context.subtask(); i < rows.size(); i += context.parallelism()) {
                mine.add(rows.get(i));
            }
            io.riffle.engine.connector.SourceReader reader =
                    new io.riffle.engine.internal.connector.CollectionSource(name, schema, mine).createReader(context);
            return new io.riffle.engine.connector.SourceReader() {
                int idle = idlePolls;
                boolean counted;

                @Override
                public io.riffle.columnar.batch.RecordBatch next() throws Exception {
                    if (onRead != null) {
                        onRead.run();
                    }
                    if (idle > 0) {
                        idle--;
                        return null;
                    }
                    return reader.next();
                }

                @Override
                public boolean isFinished() {
                    boolean finished = idle == 0 && reader.isFinished();
                    if (finished && ended != null && !counted) {
                        counted = true;
                        ended.incrementAndGet();
                    }
                    return finished;
                }

                @Override
                public void close() throws Exception {
                    reader.close();
                }
            };
        }
    }

    private static DataStream joined(int p, List<Tuple> orders, List<Tuple> customers) {
        Environment env = Environment.batch().setParallelism(p).setBatchSize(64);
        return env.fromCollection(orders, ORDERS).join(env.fromCollection(customers, CUSTOMERS), "customer", "id");
    }

    @Test
    void utf8KeysJoinAndNamesStayDistinct() {
        Environment env = Environment.batch().setParallelism(2).setBatchSize(3);
        List<Tuple> words = List.of(Tuple.of("apple", 1), Tuple.of("pear", 2), Tuple.of("fig", 3), Tuple.of("apple", 4));
        List<Tuple> meanings = List.of(Tuple.of("fruit", "apple"), Tuple.of("tree", "apple"), Tuple.of("fruit", "fig"));
        DataStream joined = env.fromCollection(words, WORDS).join(env.fromCollection(meanings, MEANINGS), "word", "w");
        assertEquals(BatchSchema.of(Column.of("word", ColumnType.UTF8), Column.of("n", ColumnType.INT32),
                Column.of("meaning", ColumnType.UTF8)), joined.schema());
        assertEquals(List.of(Tuple.of("apple", 1, "fruit"), Tuple.of("apple", 1, "tree"), Tuple.of("apple", 4, "fruit"),
                Tuple.of("apple", 4, "tree"), Tuple.of("fig", 3, "fruit")), sorted(joined.executeAndCollect()));
        Environment again = Environment.batch();
        DataStream orders = again.fromCollection(List.of(Tuple.of(1L, 1L, 5L)), ORDERS);
        assertEquals("right_amount", orders.join(again.fromCollection(List.of(Tuple.of(1L, "a", 2L)), CUSTOMERS),
                "customer", "id").schema().column(4).name());
    }

    @Test
    void badJoinsSayWhatIsWrong() {
        Environment stream = Environment.streaming();
        DataStream a = stream.fromCollection(List.of(Tuple.of(1L, 1L, 5L)), ORDERS);
        assertEquals("join(...) is a batch hash join; streaming jobs join by event time:"
                + " keyBy(...).intervalJoin(...) or keyBy(...).windowJoin(...)",
                assertThrows(IllegalStateException.class, () -> a.join(a, "customer", "order")).getMessage());
        Environment env = Environment.batch();
        DataStream orders = env.fromCollection(List.of(Tuple.of(1L, 1L, 5L)), ORDERS);
        DataStream words = env.fromCollection(List.of(Tuple.of("a", 1)), WORDS);
        assertEquals("join keys cannot be compared: 'customer' is int64, 'word' is utf8; keys join when both are"
                + " utf8 or both are integers (int32 and int64 by value, int64 and timestamp[ms] as epoch milliseconds)", assertThrows(IllegalArgumentException.class,
                () -> orders.join(words, "customer", "word")).getMessage());
        DataStream nullIds = env.fromCollection(List.of(Tuple.of(null, "x", 1L)),
                BatchSchema.of(Column.nullable("id", ColumnType.INT64), Column.nullable("name", ColumnType.UTF8),
                        Column.of("amount", ColumnType.INT64)));
        JobFailedException e = assertThrows(JobFailedException.class,
                () -> orders.join(nullIds, "customer", "id").executeAndCollect());
        assertEquals("null key in join key field 0 ('id', int64) of the right side; join keys must not be null",
                e.getCause().getMessage());
    }
}
