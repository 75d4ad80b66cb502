package io.riffle.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.connector.Source;
import io.riffle.engine.connector.SourceReader;
import io.riffle.engine.connector.TaskContext;

/**
 * Holds the readers of the sources it wraps at record counts the test chooses, so that a checkpoint falls
 * where the test says and not where a timer fired. A held reader returns no batch (it never blocks; its
 * worker idles), yet still injects the barriers the coordinator asks for, so a checkpoint triggered while
 * every reader is held completes, with every reader's position at its hold. Counts are per reader and
 * absolute: a restored reader starts at the count its checkpoint had (the count travels in the position).
 * The gate follows the job's attempts through {@link #attemptStarted}, so it must be the job's failure
 * injector (another injector can be passed in and is asked as before). Sources held at different counts
 * take a gate each, chained: the job's injector is one gate, built around the other. A job restoring a
 * gated run's checkpoint reads its sources through a gate too (one holding nothing will do): the positions
 * are the gate's.
 *
 * <pre>{@code
 * SourceGate gate = new SourceGate();
 * Environment env = Environment.streaming().enableCheckpointing(Duration.ZERO, dir).injectFailures(gate);
 * env.fromSource(gate.wrap(new GeneratorSource(10_000, 7))).keyBy("key").sum("value").collect(out);
 * gate.holdAt(2_000);                          // each reader stops once it has read 2 000 records
 * JobHandle job = env.executeAsync("held");
 * gate.awaitHeld(job);                         // every reader of the running attempt is held or finished
 * long id = job.triggerCheckpoint().get();     // completes: barriers need no data
 * gate.release();
 * job.await();
 * }</pre>
 *
 * <p>{@link #holdAt(int, long, long)} also lets readers go on after their barrier, up to a second count,
 * so that records after a barrier flow while operators downstream align and snapshot. Readers run on
 * worker threads; every other method is for the test thread.
 */
final class SourceGate implements FailureInjector {
    /** Where an attempt's readers stop: at {@code at} until a barrier is taken there, then at {@code afterBarrier}. */
    record Stop(int round, long at, long afterBarrier) {
        static final Stop NONE = new Stop(-1, Long.MAX_VALUE, Long.MAX_VALUE);

        @Override
        public String toString() {
            return equals(NONE) ? "no stop" : at + " records" + (afterBarrier == at ? "" : ", then " + afterBarrier);
        }
    }

    private final FailureInjector inner;
    private final Map<Integer, Stop> stops = new ConcurrentHashMap<>();
    /** Every reader this gate made, guarded by {@code this}; waiting on {@code this} hears them change. */
    private final List<Reader> readers = new ArrayList<>();
    private int sources;
    private int rounds;
    /** The attempt started last; -1 before the first. */
    private volatile int started = -1;

    SourceGate() {
        this(null);
    }

    /** A gate that also asks {@code inner} before each batch and each state write, as the job's injector would. */
    SourceGate(FailureInjector inner) {
        this.inner = inner;
    }

    /** {@code source}, its readers held by this gate; rewindable when {@code source} is. */
    synchronized Source wrap(Source source) {
        return new GatedSource(source, sources++);
    }

    /** Every reader of the attempt running now (the first, before the job starts) stops once it has read {@code records}. */
    void holdAt(long records) {
        holdAt(latestAttempt(), records, records);
    }

    /**
     * The readers of {@code attempt} stop once they have read {@code at} records and, once they gave their
     * position to a checkpoint there, go on until {@code afterBarrier}. A later call replaces the stop.
     */
    synchronized void holdAt(int attempt, long at, long afterBarrier) {
        if (afterBarrier < at) {
            throw new IllegalArgumentException("readers go on after their barrier, to " + afterBarrier
                    + ", not back from " + at);
        }
        stops.put(attempt, new Stop(rounds++, at, afterBarrier));
        notifyAll();
    }

    /** The readers of the attempt running now read on to their end. */
    void release() {
        release(latestAttempt());
    }

    synchronized void release(int attempt) {
        stops.put(attempt, Stop.NONE);
        notifyAll();
    }

    private int latestAttempt() {
        return Math.max(started, 0);
    }

    /**
     * Waits until attempt {@code attempt} has started and each of its readers is held at its stop or has
     * read everything. Throws when the job ended first (with its failure, if it failed) or when the attempt
     * ended first (the job restarted).
     */
    void awaitHeld(JobHandle job, int attempt) throws InterruptedException {
        awaitHeld(attempt, ifEnded(job));
    }

    /** {@link #awaitHeld(JobHandle, int)} for the attempt running now. */
    void awaitHeld(JobHandle job) throws InterruptedException {
        awaitHeld(job, latestAttempt());
    }

    /**
     * Waits until attempt {@code attempt} has started (and checkpoints reach it). Throws when the job ended
     * first, naming its failure if it failed.
     */
    void awaitStarted(JobHandle job, int attempt) throws InterruptedException {
        awaitStarted(attempt, ifEnded(job));
    }

    /** Throws, naming what did not happen ({@code before}), once {@code job} has ended. */
    private static Consumer<String> ifEnded(JobHandle job) {
        return before -> {
            if (job.isDone()) {
                job.await();
                throw new AssertionError("the job ended before " + before);
            }
        };
    }

    /** The waits, for a driver other than a running job: {@code ifEnded} throws once that has ended. */
    synchronized void awaitHeld(int attempt, Consumer<String> ifEnded) throws InterruptedException {
        awaitStarted(attempt, ifEnded);
        Stop stop = stopOf(attempt);
        while (!allHeld(attempt, stop)) {
            checkRunning(attempt, "its sources were held at " + stop, ifEnded);
            wait(10);
            stop = stopOf(attempt);
        }
    }

    synchronized void awaitStarted(int attempt, Consumer<String> ifEnded) throws InterruptedException {
        if (started < 0) {
            throw new IllegalStateException("no attempt started: the gate must be the job's failure injector"
                    + " (Environment.injectFailures)");
        }
        while (started < attempt) {
            checkRunning(attempt, "attempt " + attempt + " started", ifEnded);
            wait(10);
        }
        if (started > attempt) {
            throw new AssertionError("attempt " + attempt + " has ended: attempt " + started + " runs");
        }
    }

    private void checkRunning(int attempt, String before, Consumer<String> ifEnded) {
        if (started > attempt) {
            throw new AssertionError("attempt " + attempt + " ended (the job restarted) before " + before);
        }
        for (Reader r : readers) {
            if (r.attempt == attempt && r.closed && !r.finished) {
                throw new AssertionError("attempt " + attempt + " ended (a reader was closed unfinished) before "
                        + before);
            }
        }
        ifEnded.accept(before);
    }

    private boolean allHeld(int attempt, Stop stop) {
        for (Reader r : readers) {
            if (r.attempt == attempt && !r.closed && !r.finished
                    && (r.heldRound != stop.round || r.heldAt != r.limit(stop))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The records each reader of {@code attempt} has read, by reader ({@code #source name[subtask]}): while
     * they are held, the positions a checkpoint takes.
     */
    synchronized Map<String, Long> counts(int attempt) {
        Map<String, Long> counts = new TreeMap<>();
        for (Reader r : readers) {
            if (r.attempt == attempt && (r.finished || !r.closed)) {
                counts.put(r.key, r.count);
            }
        }
        return counts;
    }

    /** The readers of {@code attempt} that have not read everything: a restore of its checkpoints builds them again. */
    synchronized Set<String> unfinished(int attempt) {
        Set<String> keys = new TreeSet<>();
        for (Reader r : readers) {
            if (r.attempt == attempt && !r.finished && !r.closed) {
                keys.add(r.key);
            }
        }
        return keys;
    }

    /** The count each reader of {@code attempt} was restored at, by reader; empty for a fresh attempt. */
    synchronized Map<String, Long> restoredCounts(int attempt) {
        Map<String, Long> counts = new TreeMap<>();
        for (Reader r : readers) {
            if (r.attempt == attempt && r.restored && (r.finished || !r.closed)) {
                counts.put(r.key, r.restoredAt);
            }
        }
        return counts;
    }

    /** Takes a checkpoint now and waits for it; fails the test, naming why, when it is not taken. */
    static long checkpoint(JobHandle job) throws InterruptedException {
        try {
            return job.triggerCheckpoint().get();
        } catch (ExecutionException e) {
            throw new AssertionError("the checkpoint failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    private Stop stopOf(int attempt) {
        return stops.getOrDefault(attempt, Stop.NONE);
    }

    private synchronized void changed() {
        notifyAll();
    }

    @Override
    public synchronized void attemptStarted(int attempt) {
        // Earlier attempts are over. Readers of a start that failed (a damaged checkpoint passed over) were
        // closed unfinished; they are no part of the attempt that did start.
        readers.removeIf(r -> r.attempt < attempt || (r.attempt == attempt && r.closed && !r.finished));
        started = attempt;
        notifyAll();
        if (inner != null) {
            inner.attemptStarted(attempt);
        }
    }

    @Override
    public void restarting(int attempt) {
        if (inner != null) {
            inner.restarting(attempt);
        }
    }

    @Override
    public void beforeBatch(String operator, int subtask, int rows) throws Exception {
        if (inner != null) {
            inner.beforeBatch(operator, subtask, rows);
        }
    }

    @Override
    public void beforeStateWrite(long checkpointId, Path file) throws IOException {
        if (inner != null) {
            inner.beforeStateWrite(checkpointId, file);
        }
    }

    private final class GatedSource implements Source {
        private final Source source;
        private final int index;

        GatedSource(Source source, int index) {
            this.source = source;
            this.index = index;
        }

        @Override
        public String name() {
            return source.name();
        }

        @Override
        public BatchSchema schema() {
            return source.schema();
        }

        @Override
        public int maxParallelism() {
            return source.maxParallelism();
        }

        @Override
        public boolean isRewindable() {
            return source.isRewindable();
        }

        @Override
        public SourceReader createReader(TaskContext context) throws Exception {
            return register(new Reader(source.createReader(context), key(context), 0, false));
        }

        @Override
        public String eventTimeField() {
            return source.eventTimeField();
        }

        /** Each position is the count its reader had read, then the wrapped reader's position. */
        @Override
        public SourceReader restoreReader(TaskContext context, List<byte[]> positions) throws Exception {
            long count = 0;
            for (byte[] p : positions) {
                count += ByteBuffer.wrap(p).getLong();
            }
            return register(new Reader(source.restoreReader(context, inner(positions)), key(context), count, true));
        }

        @Override
        public void checkpointComplete(long checkpointId, List<byte[]> positions) throws Exception {
            source.checkpointComplete(checkpointId, inner(positions));
        }

        /** The wrapped readers' positions, without the counts in front. */
        private List<byte[]> inner(List<byte[]> positions) {
            List<byte[]> inner = new ArrayList<>();
            for (byte[] p : positions) {
                inner.add(Arrays.copyOfRange(p, Long.BYTES, p.length));
            }
            return inner;
        }

        private String key(TaskContext context) {
            return "#" + index + " " + source.name() + "[" + context.subtask() + "]";
        }
    }

    private Reader register(Reader r) {
        synchronized (this) {
            readers.add(r);
        }
        return r;
    }

    /** One subtask's reader; its fields are written by its worker thread and read by the test thread. */
    private final class Reader implements SourceReader {
        private final SourceReader reader;
        final String key;
        /** The attempt building this reader: readers are built before their attempt is reported started. */
        final int attempt = started + 1;
        final boolean restored;
        final long restoredAt;
        volatile long count;
        /** The stop round whose first count this reader passed, having given its position there. */
        private volatile int passedRound = -1;
        volatile int heldRound = -1;
        volatile long heldAt = -1;
        volatile boolean finished;
        volatile boolean closed;

        Reader(SourceReader reader, String key, long count, boolean restored) {
            this.reader = reader;
            this.key = key;
            this.count = count;
            this.restored = restored;
            this.restoredAt = count;
        }

        long limit(Stop stop) {
            return passedRound == stop.round ? stop.afterBarrier : stop.at;
        }

        @Override
        public RecordBatch next() throws Exception {
            if (reader.isFinished()) {
                return null;
            }
            Stop stop = stopOf(attempt);
            long limit = limit(stop);
            if (count >= limit) {
                if (heldRound != stop.round || heldAt != limit) {
                    heldRound = stop.round;
                    heldAt = limit;
                    changed();
                }
                return null;
            }
            RecordBatch batch = reader.next();
            if (batch != null) {
                count += batch.rowCount();
            }
            return batch;
        }

        @Override
        public boolean isFinished() {
            boolean done = reader.isFinished();
            if (done && !finished) {
                finished = true;
                changed();
            }
            return done;
        }

        /** Taken for a barrier (or at the end): a reader held at its stop's first count may now go on. */
        @Override
        public byte[] position() {
            Stop stop = stopOf(attempt);
            if (count >= stop.at) {
                passedRound = stop.round;
            }
            byte[] inner = reader.position();
            return ByteBuffer.allocate(Long.BYTES + inner.length).putLong(count).put(inner).array();
        }

        @Override
        public long watermark() {
            return reader.watermark();
        }

        @Override
        public void close() throws Exception {
            closed = true;
            changed();
            reader.close();
        }
    }
}
