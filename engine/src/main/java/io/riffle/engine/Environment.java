package io.riffle.engine;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.Row;
import io.riffle.engine.connector.Source;
import io.riffle.engine.connector.SourceSideOutput;
import io.riffle.engine.connector.ZipfText;
import io.riffle.engine.connector.file.ArrowIpcSource;
import io.riffle.engine.connector.file.CsvFormat;
import io.riffle.engine.connector.file.CsvSource;
import io.riffle.engine.internal.connector.CollectionSource;
import io.riffle.engine.internal.connector.GeneratorSource;
import io.riffle.engine.internal.connector.TextLinesSource;
import io.riffle.engine.internal.connector.ZipfWordsSource;
import io.riffle.engine.internal.plan.JobLauncher;
import io.riffle.engine.internal.plan.StreamGraph;
import io.riffle.engine.internal.plan.Transformation;
import io.riffle.scheduler.IdleMode;

/**
 * Where a Riffle program starts: sources, settings, and {@link #execute()}. The mode fixes the semantics
 * of keyed aggregations, as in Flink: {@link Mode#STREAMING} emits a running value per input record,
 * {@link Mode#BATCH} one final row per key when the (bounded) input ends.
 *
 * <pre>{@code
 * Environment env = Environment.batch();
 * env.fromElements(Tuple.of("apple", 1), Tuple.of("banana", 2), Tuple.of("apple", 3))
 *    .groupBy(0).sum(1)
 *    .print();
 * env.execute();   // (apple,4) (banana,2)
 * }</pre>
 *
 * Not thread-safe: build a job from one thread. Jobs run in this process on their own worker threads.
 */
public final class Environment {
    /** How keyed aggregations emit: per record (streaming) or per key at the end (batch). */
    public enum Mode { STREAMING, BATCH }

    /** The max parallelism of an environment that does not set one: 128 key groups. */
    public static final int DEFAULT_MAX_PARALLELISM = 128;

    private final Mode mode;
    /** The program's transformations and the sinks the next job runs. */
    private final StreamGraph graph = new StreamGraph();
    /** The settings the next job runs with, and what starts it. */
    private final JobLauncher jobs = new JobLauncher();
    private long stateBudgetBytes = 2L << 30;
    private PrintStream printStream = System.out;
    private boolean keepJvmAlive = true;

    private Environment(Mode mode) {
        this.mode = mode;
    }

    /** A streaming environment: keyed aggregations emit a running value per record. */
    public static Environment streaming() {
        return new Environment(Mode.STREAMING);
    }

    /** A batch environment: keyed aggregations emit one row per key when the input ends. */
    public static Environment batch() {
        return new Environment(Mode.BATCH);
    }

    public Mode mode() {
        return mode;
    }

    /**
     * The parallelism of operators that do not set their own (default: the number of cores). Every operator's
     * parallelism must be at most the max parallelism ({@link #setMaxParallelism}); the plan checks that.
     */
    public Environment setParallelism(int parallelism) {
        jobs.setParallelism(parallelism);
        return this;
    }

    public int parallelism() {
        return jobs.parallelism();
    }

    /**
     * The number of key groups (1 to 32768, default {@value #DEFAULT_MAX_PARALLELISM}): the most any operator
     * can be scaled to, now or when restored from a checkpoint.
     */
    public Environment setMaxParallelism(int maxParallelism) {
        jobs.setMaxParallelism(maxParallelism);
        return this;
    }

    /** Worker threads per job (1 to 1024, default: the number of cores); subtasks share them cooperatively. */
    public Environment setWorkers(int workers) {
        jobs.setWorkers(workers);
        return this;
    }

    /** What idle workers do: {@link IdleMode#BUSY_SPIN} for lowest latency, {@link IdleMode#BACK_OFF} (default) to share cores. */
    public Environment setIdleMode(IdleMode idleMode) {
        jobs.setIdleMode(idleMode);
        return this;
    }

    /** Pins worker {@code i} to core {@code i} where the OS allows (default: not pinned). */
    public Environment setPinWorkers(boolean pinned) {
        jobs.setPinWorkers(pinned);
        return this;
    }

    /** Rows per batch that sources and operators aim for (1 to 1048576, default 4096). */
    public Environment setBatchSize(int batchSize) {
        jobs.setBatchSize(batchSize);
        return this;
    }

    /**
     * Slots per channel ring (a power of two from 2 to 65536, default 8): how far a producer may run ahead. Few
     * slots keep the batches in flight, which producer and consumer take turns writing and reading, within the
     * cores' caches.
     */
    public Environment setChannelCapacity(int capacity) {
        jobs.setChannelCapacity(capacity);
        return this;
    }

    /** The off-heap bytes each keyed operator subtask may hold (default 2 GiB); beyond it the job fails. */
    public Environment setStateBudget(long bytes) {
        if (bytes < 1 << 20) {
            throw new IllegalArgumentException("state budget must be at least 1 MiB, not " + bytes + " bytes");
        }
        this.stateBudgetBytes = bytes;
        return this;
    }

    // ---- fault tolerance

    /**
     * Takes exactly-once checkpoints into {@code directory} every {@code interval} ({@link Duration#ZERO}:
     * only when asked, {@link JobHandle#triggerCheckpoint()}): sources inject barriers, operators with
     * several inputs align them, keyed state is snapshotted copy-on-write and written by key group to files
     * while processing goes on, and a checkpoint is complete once every subtask acknowledged and its manifest
     * was written atomically. Streaming jobs only; their sources must be rewindable. Without a restart
     * strategy of its own, a checkpointing job restarts up to 10 times, from 100 ms doubling up to 10 s.
     */
    public Environment enableCheckpointing(Duration interval, Path directory) {
        if (interval.isNegative()) {
            throw new IllegalArgumentException("a checkpoint interval must not be negative: " + interval);
        }
        if (mode != Mode.STREAMING) {
            throw new IllegalStateException("checkpoints are for streaming jobs: a batch job restarts from the start"
                    + " of its bounded input (setRestartStrategy)");
        }
        jobs.enableCheckpointing(interval, directory);
        return this;
    }

    /** A checkpoint not complete after {@code timeout} is aborted (default 1 minute); the job goes on. */
    public Environment setCheckpointTimeout(Duration timeout) {
        jobs.setCheckpointTimeout(timeout);
        return this;
    }

    /** How many complete checkpoints are kept (default 3); older ones are deleted. Savepoints are kept. */
    public Environment setCheckpointsRetained(int count) {
        jobs.setCheckpointsRetained(count);
        return this;
    }

    /**
     * How many checkpoints may fail in a row (a full disk, a time-out) before the job fails with {@code N
     * consecutive checkpoints failed (disk full), the last (checkpoint n): why}, naming their {@link
     * CheckpointFailureReason}s; it is not restarted then, since a restart would not make them succeed. Default:
     * unlimited, the job goes on (Flink's {@code execution.checkpointing.tolerable-failed-checkpoints}); either
     * way {@link JobHandle#checkpointFailures()} and {@link JobResult#checkpointFailures()} count the failures by
     * reason and say why the last one failed. 0: the first failed checkpoint fails the job.
     */
    public Environment setTolerableCheckpointFailures(int count) {
        jobs.setTolerableCheckpointFailures(count);
        return this;
    }

    /** What the job does when a subtask fails (default: {@link RestartStrategy#none()} without checkpoints). */
    public Environment setRestartStrategy(RestartStrategy strategy) {
        jobs.setRestartStrategy(Objects.requireNonNull(strategy, "strategy"));
        return this;
    }

    /**
     * Starts the next job from a checkpoint or savepoint: {@code directory} is one ({@code chk-7}, which
     * must be complete and intact), or a checkpoint directory whose newest complete checkpoint that passes
     * its checks is taken. A directory with no complete checkpoint yet (empty, not there, or only
     * checkpoints that never completed) starts the job from the beginning, so a supervisor can run the same
     * command again and again; one whose complete checkpoints are all damaged is an error. Passing over a
     * damaged checkpoint for an older one is a fallback: see {@link #allowDuplicatesOnFallback()}. The job
     * must be the same program (operators by id and name) with the same max parallelism; its parallelism
     * may differ. {@link JobResult#restoredCheckpoint()} says what was restored.
     */
    public Environment restoreFrom(Path directory) {
        jobs.setRestoreFrom(Objects.requireNonNull(directory, "directory"));
        return this;
    }

    /**
     * Lets recovery fall back over a damaged checkpoint even when a two-phase-commit sink cannot take back
     * what that checkpoint committed: the job restores the older checkpoint and that output is written
     * twice. Without it such a fallback fails the job, saying which checkpoint is damaged and which sink
     * would repeat its output. Sinks that can take output back ({@code TransactionalCsvSink}) always do, so
     * they stay exactly-once either way. Each fallback is logged and listed in {@link JobResult#fallbacks()}.
     */
    public Environment allowDuplicatesOnFallback() {
        jobs.allowDuplicatesOnFallback();
        return this;
    }

    /**
     * A testing aid, for tests and recovery demos: makes operators throw where {@code injector} says, before a
     * batch. The injector outlives restarts, so each planned failure happens once.
     */
    public Environment injectFailures(FailureInjector injector) {
        jobs.injectFailures(injector);
        return this;
    }

    /**
     * Whether a running job keeps the JVM alive (default true, as Flink's local environment does): its
     * {@link JobHandle} holds a non-daemon thread until the job ends. With false every thread of the job is a
     * daemon, for a host that must be able to exit with jobs still running (they end with the JVM).
     */
    public Environment setKeepJvmAlive(boolean keep) {
        this.keepJvmAlive = keep;
        return this;
    }

    /** Where {@link DataStream#print()} writes (default {@code System.out}). */
    public Environment setPrintStream(PrintStream out) {
        this.printStream = out;
        return this;
    }

    // ---- sources

    /** A stream of the given tuples; field types are inferred (fields named f0, f1, ...). Parallelism 1. */
    public DataStream fromElements(Row... elements) {
        return fromCollection(Arrays.asList(elements));
    }

    /** A stream of the given rows; field types are inferred (fields named f0, f1, ...). Parallelism 1. */
    public DataStream fromCollection(Collection<? extends Row> rows) {
        List<? extends Row> list = List.copyOf(rows);
        return fromCollection(list, inferSchema(list, null));
    }

    /** A stream of the given rows with field names; types are inferred. Parallelism 1. */
    public DataStream fromCollection(Collection<? extends Row> rows, String... fieldNames) {
        List<? extends Row> list = List.copyOf(rows);
        return fromCollection(list, inferSchema(list, fieldNames));
    }

    /** A stream of the given rows, checked against {@code schema} now. Parallelism 1. */
    public DataStream fromCollection(Collection<? extends Row> rows, BatchSchema schema) {
        List<? extends Row> list = List.copyOf(rows);
        CollectionSourceCheck.check(schema, list);
        return fromSource(new CollectionSource("fromElements", schema, list));
    }

    /**
     * The workloads' generator: {@code records} records, record {@code i} = (key {@code i mod keys},
     * value {@code i}, timestamp {@code i} ms), schema {@code (key: int64, value: int64, timestamp: timestamp[ms])}.
     * Runs at the environment's parallelism: subtask {@code s} of {@code p} generates records {@code s, s + p,
     * s + 2p, ...}, so all subtasks move through event time together.
     */
    public DataStream generate(long records, long keys) {
        return fromSource(new GeneratorSource(records, keys));
    }

    /** Like {@link #generate(long, long)}, paced to at most {@code recordsPerSecond} over all subtasks. */
    public DataStream generate(long records, long keys, long recordsPerSecond) {
        return fromSource(new GeneratorSource(records, keys, recordsPerSecond));
    }

    /**
     * Word count's text (W4): {@code words} words of the {@link ZipfText} over {@code vocabulary} distinct
     * words, schema {@code (word: utf8)}. Runs at the environment's parallelism; the text is the same at any.
     *
     * <pre>{@code
     * env.generateZipfText(1_000_000, 10_000).groupBy("word").count().print();
     * }</pre>
     */
    public DataStream generateZipfText(long words, int vocabulary) {
        return fromSource(new ZipfWordsSource(words, vocabulary));
    }

    /** The lines of a UTF-8 text file, as {@code (line: utf8)} records. Parallelism 1. */
    public DataStream readTextFile(Path file) {
        return fromSource(new TextLinesSource(file));
    }

    /**
     * The records of a CSV file with a header line, parsed by the declared schema (RFC 4180 quoting; an
     * empty field of a utf8 column is the empty string, of another type null: see {@link CsvFormat}). A
     * malformed line fails the job naming the file, line and field. Parallelism 1.
     */
    public DataStream readCsv(Path file, BatchSchema schema) {
        return fromSource(new CsvSource(file, schema));
    }

    /** Like {@link #readCsv(Path, BatchSchema)} with another delimiter, quote, header or reading of empty strings. */
    public DataStream readCsv(Path file, BatchSchema schema, CsvFormat format) {
        return fromSource(new CsvSource(file, schema, format));
    }

    /**
     * The records of an Arrow IPC file, with the file's schema; record batch {@code i} goes to subtask
     * {@code i mod parallelism}.
     */
    public DataStream readArrow(Path file) {
        return fromSource(new ArrowIpcSource(file));
    }

    /**
     * A stream from any {@link Source}. One that makes its own watermarks ({@link Source#eventTimeField()})
     * gives a stream in event time on that field, as {@code assignTimestampsAndWatermarks} would.
     */
    public DataStream fromSource(Source source) {
        String eventTime = source.eventTimeField();
        if (eventTime != null) {
            try {
                DataStream.checkTimeField(source.schema(), eventTime, "event time");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("source '" + source.name() + "': " + e.getMessage(), e);
            }
        }
        Transformation read = graph.source(source);
        for (SourceSideOutput side : source.sideOutputs()) {
            read.declareSideOutput(side.name(), side.schema(), null);
        }
        return new DataStream(this, read, eventTime);
    }

    // ---- execution

    /** Runs every sink defined since the last execution and waits for the job to end. */
    public JobResult execute() {
        return execute("riffle-job");
    }

    /** Like {@link #execute()}, with a job name for errors and metrics. */
    public JobResult execute(String jobName) {
        return executeAsync(jobName).await();
    }

    /**
     * Starts the job and returns at once; the handle has live metrics, cancel and await. The running job
     * keeps the JVM alive, so a {@code main} may return after this call and the JVM exits once the job has
     * ended (unless {@link #setKeepJvmAlive}{@code (false)}: then the JVM may exit under the running job,
     * ending it mid-run, when its last non-daemon thread ends).
     */
    public JobHandle executeAsync() {
        return executeAsync("riffle-job");
    }

    /** Like {@link #executeAsync()}, with a job name for errors, metrics and thread names. */
    public JobHandle executeAsync(String jobName) {
        return new JobHandle(jobs.start(jobName, graph), keepJvmAlive);
    }

    /** The physical plan the next {@link #execute()} would run: one line per chain of operators. */
    public String explain() {
        return graph.plan(jobs.parallelism(), jobs.maxParallelism()).describe();
    }

    // ---- for DataStream

    StreamGraph graph() {
        return graph;
    }

    /** The next transformation's id, for one {@link KeyedStream} makes itself. */
    int nextId() {
        return graph.nextId();
    }

    long stateBudgetBytes() {
        return stateBudgetBytes;
    }

    PrintStream printStream() {
        return printStream;
    }

    /** Field types from the values: the first non-null value of each field decides, ints widen to longs and doubles. */
    static BatchSchema inferSchema(List<? extends Row> rows, String[] names) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("cannot infer field types from no elements; pass a schema");
        }
        int arity = rows.get(0).arity();
        if (names != null && names.length != arity) {
            throw new IllegalArgumentException(names.length + " field names " + Arrays.toString(names)
                    + " for elements of " + arity + " fields");
        }
        ColumnType[] types = new ColumnType[arity];
        boolean[] nullable = new boolean[arity];
        for (int r = 0; r < rows.size(); r++) {
            Row row = rows.get(r);
            if (row.arity() != arity) {
                throw new IllegalArgumentException("element " + r + " " + row + " has " + row.arity()
                        + " fields; element 0 has " + arity);
            }
            for (int f = 0; f < arity; f++) {
                Object v = row.field(f);
                if (v == null) {
                    nullable[f] = true;
                    continue;
                }
                ColumnType t = typeOf(v, r, f);
                types[f] = types[f] == null ? t : widen(types[f], t, r, f, v);
            }
        }
        List<Column> columns = new ArrayList<>();
        for (int f = 0; f < arity; f++) {
            if (types[f] == null) {
                throw new IllegalArgumentException("field " + f + " is null in every element, so its type is unknown;"
                        + " pass a schema");
            }
            columns.add(new Column(names == null ? "f" + f : names[f], types[f], nullable[f]));
        }
        return BatchSchema.of(columns);
    }

    private static ColumnType typeOf(Object v, int row, int field) {
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ColumnType.INT32;
        }
        if (v instanceof Long) {
            return ColumnType.INT64;
        }
        if (v instanceof Double || v instanceof Float) {
            return ColumnType.FLOAT64;
        }
        if (v instanceof Boolean) {
            return ColumnType.BOOL;
        }
        if (v instanceof CharSequence) {
            return ColumnType.UTF8;
        }
        if (v instanceof Instant) {
            return ColumnType.TIMESTAMP_MS;
        }
        if (v instanceof byte[]) {
            return ColumnType.BINARY;
        }
        throw new IllegalArgumentException("element " + row + ", field " + field + ": unsupported value type "
                + v.getClass().getName() + " ('" + v + "'); use Integer, Long, Double, Boolean, String or Instant");
    }

    private static ColumnType widen(ColumnType a, ColumnType b, int row, int field, Object v) {
        if (a == b) {
            return a;
        }
        boolean aNum = a.isNumeric();
        boolean bNum = b.isNumeric();
        if (aNum && bNum) {
            return a == ColumnType.FLOAT64 || b == ColumnType.FLOAT64 ? ColumnType.FLOAT64 : ColumnType.INT64;
        }
        throw new IllegalArgumentException("element " + row + ", field " + field + " is " + b + " ('" + v
                + "') but earlier elements have " + a);
    }
}
