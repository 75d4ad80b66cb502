package io.riffle.engine.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.engine.DataStream;
import io.riffle.engine.Environment;
import io.riffle.engine.JobResult;
import io.riffle.engine.RestartStrategy;
import io.riffle.engine.Tuple;
import io.riffle.engine.WatermarkStrategy;
import io.riffle.engine.Windows;
import io.riffle.engine.connector.file.TransactionalCsvSink;

/** The built-in engine jobs: the two seed programs and the workloads W1 to W5. */
final class EngineJobs {
    private static final Tuple[] FRUIT = {Tuple.of("apple", 1), Tuple.of("banana", 2), Tuple.of("apple", 3),
        Tuple.of("banana", 4), Tuple.of("apple", 5)};

    private EngineJobs() {
    }

    /** The batch seed: group by word, sum counts; prints (apple,9) (banana,6). */
    static JobSummary seedBatch(JobOptions o, PrintStream out, PrintStream err) {
        Environment env = configure(Environment.batch().setParallelism(o.parallelism()).setPrintStream(out), o);
        DataStream sums = env.fromElements(FRUIT).groupBy(0).sum(1);
        sums.print();
        writeOutput(sums, o, "seed-batch");
        JobResult r = Progress.await(env.executeAsync("seed-batch"), err);
        return new JobSummary("seed-batch", FRUIT.length, 2, 2, r, o.parallelism());
    }

    /** The streaming seed: key by word, running sum; prints a running sum per record. */
    static JobSummary seedStream(JobOptions o, PrintStream out, PrintStream err) {
        Environment env = configure(Environment.streaming().setParallelism(o.parallelism()).setPrintStream(out), o);
        DataStream sums = env.fromElements(FRUIT).keyBy(0).sum(1);
        sums.print();
        writeOutput(sums, o, "seed-stream");
        JobResult r = Progress.await(env.executeAsync("seed-stream"), err);
        return new JobSummary("seed-stream", FRUIT.length, 2, FRUIT.length, r, o.parallelism());
    }

    /** W1: generated records, keyBy(key).sum(value), a running sum per record, counted at the sink. */
    static JobSummary keyedSum(JobOptions o, PrintStream out, PrintStream err) {
        Environment env = configure(Environment.streaming().setParallelism(o.parallelism())
                .setBatchSize(o.batchSize()), o);
        AtomicLong emitted = new AtomicLong();
        DataStream sums = env.generate(o.records(), o.keys(), o.rate()).keyBy("key").sum("value");
        sums.forEachBatch(b -> emitted.addAndGet(b.rowCount()));
        writeOutput(sums, o, "keyed-sum");
        JobResult r = Progress.await(env.executeAsync("keyed-sum"), err);
        return new JobSummary("keyed-sum", o.records(), o.keys(), emitted.get(), r, o.parallelism());
    }

    /**
     * W3: generated records (timestamp i ms), event time with monotonous watermarks, keyBy(key) and a
     * tumbling (or, with --slide-ms, sliding; with --session-gap-ms, session) window sum; prints each of keys
     * 0 to 9's first window.
     */
    static JobSummary windowSum(JobOptions o, PrintStream out, PrintStream err) {
        Environment env = configure(Environment.streaming().setParallelism(o.parallelism())
                .setBatchSize(o.batchSize()), o);
        Windows windows = o.sessionGapMs() > 0 ? Windows.session(Duration.ofMillis(o.sessionGapMs()))
                : o.slideMs() == 0 ? Windows.tumbling(Duration.ofMillis(o.windowMs()))
                : Windows.sliding(Duration.ofMillis(o.windowMs()), Duration.ofMillis(o.slideMs()));
        Map<Long, Tuple> first = new TreeMap<>();
        AtomicLong emitted = new AtomicLong();
        DataStream sums = env.generate(o.records(), o.keys(), o.rate())
                .assignTimestampsAndWatermarks(WatermarkStrategy.monotonousTimestamps("timestamp"))
                .keyBy("key").window(windows).sum("value");
        sums.forEachBatch(b -> {
            emitted.addAndGet(b.rowCount());
            for (int r = 0; r < b.rowCount(); r++) {
                long key = (Long) b.value(r, 0);
                if (key < 10) {
                    Tuple row = Tuple.of(key, b.value(r, 1), b.value(r, 2), b.value(r, 3));
                    synchronized (first) {
                        first.merge(key, row, (a, c) -> ((Instant) a.field(1)).isAfter((Instant) c.field(1)) ? c : a);
                    }
                }
            }
        });
        writeOutput(sums, o, "window-sum");
        JobResult r = Progress.await(env.executeAsync("window-sum"), err);
        for (Tuple t : first.values()) {
            out.println(t);
        }
        return new JobSummary("window-sum", o.records(), o.keys(), emitted.get(), r, o.parallelism());
    }

    /**
     * W5: a batch hash join of N orders (customer i mod K, amount i) with K customers (id i), the customers
     * broadcast to every join subtask, then the sum of amounts per customer; prints the first ten customers' sums.
     */
    static JobSummary join(JobOptions o, PrintStream out, PrintStream err) {
        Environment env = configure(Environment.batch().setParallelism(o.parallelism())
                .setBatchSize(o.batchSize()), o);
        List<Tuple> sums = new ArrayList<>();
        DataStream orders = env.generate(o.records(), o.keys(), o.rate());
        DataStream customers = env.generate(o.keys(), o.keys());
        DataStream perCustomer = orders.broadcastJoin(customers, "key", "key").groupBy("key").sum("value");
        perCustomer.collect(sums);
        writeOutput(perCustomer, o, "join");
        JobResult r = Progress.await(env.executeAsync("join"), err);
        sums.sort(Comparator.comparingLong(t -> t.getLong(0)));
        for (int i = 0; i < Math.min(10, sums.size()); i++) {
            out.println(sums.get(i));
        }
        return new JobSummary("join", o.records(), o.keys(), sums.size(), r, o.parallelism());
    }

    /** W2: generated records, batch groupBy(key).sum(value); prints the first ten keys' sums. */
    static JobSummary groupSum(JobOptions o, PrintStream out, PrintStream err) {
        Environment env = configure(Environment.batch().setParallelism(o.parallelism())
                .setBatchSize(o.batchSize()), o);
        List<Tuple> groups = new ArrayList<>();
        DataStream sums = env.generate(o.records(), o.keys(), o.rate()).groupBy("key").sum("value");
        sums.collect(groups);
        writeOutput(sums, o, "group-sum");
        JobResult r = Progress.await(env.executeAsync("group-sum"), err);
        groups.sort(Comparator.comparingLong(t -> t.getLong(0)));
        for (int i = 0; i < Math.min(10, groups.size()); i++) {
            out.println(groups.get(i));
        }
        return new JobSummary("group-sum", o.records(), o.keys(), groups.size(), r, o.parallelism());
    }

    /**
     * W4: word count over a text file (--input) or generated Zipf text (--records words, --keys distinct);
     * prints the ten most frequent words.
     */
    static JobSummary wordCount(JobOptions o, PrintStream out, PrintStream err) {
        Environment env = configure(Environment.batch().setParallelism(o.parallelism())
                .setBatchSize(o.batchSize()), o);
        DataStream words;
        if (o.input() != null) {
            BatchSchema wordSchema = BatchSchema.of(Column.of("word", ColumnType.UTF8));
            words = env.readTextFile(o.input()).flatMap((line, emit) -> {
                for (String w : line.getString(0).toLowerCase(java.util.Locale.ROOT).split("[^\\p{L}\\p{N}']+")) {
                    if (!w.isEmpty()) {
                        emit.collect(w);
                    }
                }
            }, wordSchema).setParallelism(1);
        } else {
            words = env.generateZipfText(o.records(), o.keys());
        }
        List<Tuple> counts = new ArrayList<>();
        DataStream wordCounts = words.groupBy("word").count();
        wordCounts.collect(counts);
        writeOutput(wordCounts, o, "wordcount");
        JobResult r = Progress.await(env.executeAsync("wordcount"), err);
        counts.sort(Comparator.comparingLong((Tuple t) -> -t.getLong(1)).thenComparing(t -> t.getString(0)));
        for (int i = 0; i < Math.min(10, counts.size()); i++) {
            out.println(counts.get(i));
        }
        long records = o.input() != null ? r.sourceRecords() : o.records();
        return new JobSummary("wordcount", records, counts.size(), counts.size(), r, o.parallelism());
    }

    /**
     * With {@code --output DIR}, the job's results also go to {@code DIR/<job>.csv}, complete once the job
     * ends; a checkpointing job commits them exactly once, checkpoint by checkpoint, as part files in
     * {@code DIR/<job>/}.
     */
    private static void writeOutput(DataStream results, JobOptions o, String job) {
        if (o.output() != null) {
            if (o.checkpointDir() != null) {
                results.addSink(new TransactionalCsvSink(o.output().resolve(job)));
            } else {
                results.writeCsv(o.output().resolve(job + ".csv"));
            }
        }
    }

    /**
     * Checkpoints, restore and the recovery demo: {@code --fail-after N} makes the keyed operator throw once
     * when N records have reached it, and the job restarts (from its latest checkpoint, if it takes them).
     */
    private static Environment configure(Environment env, JobOptions o) {
        if (o.checkpointDir() != null) {
            env.enableCheckpointing(Duration.ofMillis(o.checkpointIntervalMs()), o.checkpointDir());
        }
        if (o.from() != null) {
            env.restoreFrom(o.from());
        }
        if (o.allowDuplicatesOnFallback()) {
            env.allowDuplicatesOnFallback();
        }
        if (o.failAfter() > 0) {
            AtomicLong seen = new AtomicLong();
            AtomicBoolean failed = new AtomicBoolean();
            env.injectFailures((operator, subtask, rows) -> {
                if ((operator.startsWith("keyBy(") || operator.startsWith("groupBy("))
                        && seen.addAndGet(rows) >= o.failAfter() && failed.compareAndSet(false, true)) {
                    throw new IllegalStateException("--fail-after " + o.failAfter() + ": injected failure in '"
                            + operator + "'");
                }
            });
            if (o.checkpointDir() == null) {
                env.setRestartStrategy(RestartStrategy.fixedDelay(1, Duration.ZERO));
            }
        }
        return env;
    }
}
