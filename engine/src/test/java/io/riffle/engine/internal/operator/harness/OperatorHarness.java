package io.riffle.engine.internal.operator.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.RecordBatchBuilder;
import io.riffle.columnar.kernel.HashKernel;
import io.riffle.columnar.kernel.KeyGroups;
import io.riffle.engine.internal.runtime.Operator;
import io.riffle.engine.internal.runtime.OperatorMetrics;
import io.riffle.engine.internal.runtime.OperatorSnapshot;
import io.riffle.engine.internal.runtime.StateRestore;
import io.riffle.engine.internal.runtime.SubtaskContext;
import io.riffle.engine.internal.runtime.Watermark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.jspecify.annotations.Nullable;

/**
 * Drives one {@link Operator} directly on the calling thread, as one subtask of the runtime would: opens it
 * with a {@link SubtaskContext} (and a restored state), then feeds it rows, watermarks, processing time, end
 * of input and checkpoints, and collects what it emits in a {@link HarnessOutput}. Checkpoints run the
 * operator's {@link OperatorSnapshot} (the synchronous part, then the write, both on the calling thread)
 * into the state directory; {@link #restore} opens a fresh instance on a set of them at any parallelism,
 * so a test can snapshot at parallelism 2 and restore at 3 without the runtime. The harness owns its
 * allocator: {@link #close} closes the operator and fails when it left memory behind.
 *
 * <p>See {@link OneInputOperatorHarness} and {@link TwoInputOperatorHarness}; {@code docs/testing.md} has an
 * example.
 */
public abstract class OperatorHarness implements AutoCloseable {
    /** What a harness opens its operator with; see {@link Builder} for the defaults. */
    public record Settings(String name, int subtask, int parallelism, int maxParallelism, int batchSize, int uid,
                           @Nullable Path stateDirectory) {
        /** The same, as subtask {@code subtask} of {@code parallelism}. */
        Settings withSubtask(int subtask, int parallelism) {
            return new Settings(name, subtask, parallelism, maxParallelism, batchSize, uid, stateDirectory);
        }
    }

    private final Settings settings;
    private final Supplier<? extends Operator> factory;
    private final RootAllocator allocator = new RootAllocator();
    private final SubtaskContext context;
    private final HarnessOutput output;
    private final Operator operator;
    private final List<PendingSnapshot> pending = new ArrayList<>();
    private long watermark = Watermark.NONE;
    private long processingTime = Long.MIN_VALUE;
    private boolean closed;

    /**
     * Opens a fresh operator from {@code factory} as the runtime does: {@link Operator#open}, then
     * {@link Operator#restoreState} when {@code restore} is given, then {@link Operator#start}. A failure
     * closes what was opened (and still checks the memory) before it is thrown.
     */
    protected OperatorHarness(Settings settings, Supplier<? extends Operator> factory, @Nullable StateRestore restore)
            throws Exception {
        this.settings = settings;
        this.factory = factory;
        this.output = new HarnessOutput(settings.uid());
        this.context = SubtaskContext.builder(settings.name(), allocator).subtask(settings.subtask(), settings.parallelism())
                .maxParallelism(settings.maxParallelism()).batchSize(settings.batchSize()).uid(settings.uid()).build();
        this.operator = Objects.requireNonNull(factory.get(), "the operator factory returned null");
        try {
            operator.open(context);
            if (restore != null) {
                operator.restoreState(restore);
            }
            operator.start(output);
        } catch (Exception | Error e) {
            try {
                close();
            } catch (Exception | Error c) {
                e.addSuppressed(c);
            }
            throw e;
        }
    }

    /** A row of field values, in the schema's order: {@code process(row(1L, "a", 10L), row(2L, "b", 20L))}. */
    public static Object[] row(Object... values) {
        return values;
    }

    public Operator operator() {
        return operator;
    }

    public SubtaskContext context() {
        return context;
    }

    public Settings settings() {
        return settings;
    }

    /** The operator's metrics: its late records are counted as {@link OperatorMetrics#recordsDropped()}. */
    public OperatorMetrics metrics() {
        return context.metrics();
    }

    /** The harness's allocator, which the operator allocates from: for batches a test builds itself. */
    public BufferAllocator allocator() {
        return allocator;
    }

    /** What the operator emitted so far. */
    public HarnessOutput output() {
        return output;
    }

    /** Event time has reached {@code watermark} (both inputs' together, for an operator of two inputs). */
    public void processWatermark(long watermark) throws Exception {
        this.watermark = watermark;
        operator.processWatermark(watermark, output);
    }

    /**
     * Processing time is {@code nanoTime} (in {@link System#nanoTime()}'s terms): calls
     * {@link Operator#onProcessingTime} when the operator {@link Operator#usesProcessingTime() uses it}.
     */
    public void advanceProcessingTime(long nanoTime) throws Exception {
        if (nanoTime < processingTime) {
            throw new IllegalArgumentException("processing time goes forward: " + nanoTime + " is before " + processingTime);
        }
        processingTime = nanoTime;
        if (operator.usesProcessingTime()) {
            operator.onProcessingTime(nanoTime, output);
        }
    }

    /** Every input that has not ended ends, as the runtime ends them; see the subclasses. */
    public abstract void endInput() throws Exception;

    /** Checkpoint {@code checkpointId}, written at once: see {@link #beginSnapshot}. */
    public StateHandle snapshot(long checkpointId) throws Exception {
        try (PendingSnapshot snapshot = beginSnapshot(checkpointId)) {
            return snapshot.write();
        }
    }

    /**
     * The synchronous part of checkpoint {@code checkpointId} ({@link Operator#snapshotState}, and inline
     * state read at once, as the runtime reads it at the barrier); the test may go on feeding the operator
     * before it {@link PendingSnapshot#write writes} it, as the runtime's checkpoint thread would.
     */
    public PendingSnapshot beginSnapshot(long checkpointId) throws Exception {
        return new PendingSnapshot(checkpointId, operator.snapshotState(checkpointId));
    }

    /**
     * A fresh harness of the same settings and operator factory as subtask {@code subtask} of
     * {@code parallelism}, restored from {@code snapshots}: the handles of every old subtask of one checkpoint.
     */
    public abstract OperatorHarness restore(List<StateHandle> snapshots, int subtask, int parallelism) throws Exception;

    protected final Supplier<? extends Operator> factory() {
        return factory;
    }

    /** Feeds {@code rows} to input {@code input} in batches of at most the batch size. */
    protected final void processRows(int input, BatchSchema schema, Object[][] rows) throws Exception {
        for (int from = 0; from < rows.length; from += settings.batchSize()) {
            Object[][] part = Arrays.copyOfRange(rows, from, Math.min(rows.length, from + settings.batchSize()));
            try (RecordBatch batch = RecordBatchBuilder.fromRows(schema, allocator, part)) {
                operator.process(input, batch, output);
            }
        }
    }

    /**
     * The rows of {@code rows} whose key (field {@code keyField}) is in this subtask's key groups: what a
     * keyed edge of the runtime sends it, so that a test feeds every subtask the same rows.
     */
    protected final Object[][] ownedRows(BatchSchema schema, int keyField, Object[][] rows) {
        if (rows.length == 0) {
            return rows;
        }
        long[] hashes = new long[rows.length];
        try (RecordBatch batch = RecordBatchBuilder.fromRows(schema, allocator, rows)) {
            HashKernel.hash(batch, new int[] {keyField}, hashes);
        }
        List<Object[]> owned = new ArrayList<>();
        for (int r = 0; r < rows.length; r++) {
            if (context.keyGroups().contains(KeyGroups.keyGroup(hashes[r], settings.maxParallelism()))) {
                owned.add(rows[r]);
            }
        }
        return owned.toArray(new Object[0][]);
    }

    protected final void processBatch(int input, RecordBatch batch) throws Exception {
        operator.process(input, batch, output);
    }

    /**
     * Input {@code input} ends, as the runtime ends it: the last input to end brings the final watermark
     * first (unless it came already) and, after {@link Operator#endOfInput}, {@link Operator#endInput}.
     */
    protected final void endOfInput(int input, boolean last) throws Exception {
        if (last && watermark != Watermark.MAX) {
            processWatermark(Watermark.MAX);
        }
        operator.endOfInput(input, output);
        if (last) {
            operator.endInput(output);
        }
    }

    /** Closes snapshots not written, then the operator; fails when it left off-heap memory behind. */
    @Override
    public void close() throws Exception {
        if (closed) {
            return;
        }
        closed = true;
        try {
            for (PendingSnapshot snapshot : List.copyOf(pending)) {
                snapshot.close();
            }
            operator.close();
        } finally {
            long left = allocator.getAllocatedMemory();
            if (left == 0) {
                allocator.close();
            }
            assertEquals(0, left, "off-heap bytes outstanding after closing " + settings.name());
        }
    }

    /**
     * A checkpoint taken ({@link #beginSnapshot}) and not written yet; closing it unwritten aborts it. The
     * harness closes the ones left open when it closes.
     */
    public final class PendingSnapshot implements AutoCloseable {
        private final long checkpointId;
        /** The state file's writer; null when the operator keeps no state or keeps it inline. */
        private @Nullable OperatorSnapshot snapshot;
        private final List<byte[]> operatorStates = new ArrayList<>();
        private final List<byte[]> committables = new ArrayList<>();
        private boolean done;

        private PendingSnapshot(long checkpointId, @Nullable OperatorSnapshot snapshot) {
            this.checkpointId = checkpointId;
            byte[] inline = snapshot == null ? null : snapshot.inlineBytes();
            if (inline != null) {
                (snapshot.isCommittable() ? committables : operatorStates).add(inline);
                snapshot.close();
            } else if (snapshot != null) {
                this.snapshot = snapshot;
                pending.add(this);
            }
        }

        /**
         * The asynchronous part: writes the state file, named as the runtime names it
         * ({@code chk-<id>/<uid>-<subtask>.state}) in the state directory, and returns the handle. Once only.
         */
        public StateHandle write() throws Exception {
            if (done) {
                throw new IllegalStateException("checkpoint " + checkpointId + " was written or aborted already");
            }
            List<Path> files = new ArrayList<>();
            if (snapshot != null) {
                Path file = stateFile();
                try {
                    snapshot.writeTo(file);
                } finally {
                    close();
                }
                files.add(file);
            }
            return new StateHandle(checkpointId, settings.subtask(), settings.parallelism(), files, operatorStates,
                    committables);
        }

        private Path stateFile() throws Exception {
            if (settings.stateDirectory() == null) {
                throw new IllegalStateException(settings.name() + " writes a state file: give the harness a state "
                        + "directory (stateDirectory(dir), a JUnit @TempDir)");
            }
            Path dir = Files.createDirectories(settings.stateDirectory().resolve("chk-" + checkpointId));
            Path file = dir.resolve(settings.uid() + "-" + settings.subtask() + ".state");
            if (Files.exists(file)) {
                throw new IllegalStateException(file + " exists: subtask " + settings.subtask() + " wrote checkpoint "
                        + checkpointId + " before (give each run its own checkpoint ids or state directory)");
            }
            return file;
        }

        @Override
        public void close() {
            done = true;
            pending.remove(this);
            if (snapshot != null) {
                snapshot.close();
                snapshot = null;
            }
        }
    }

    /**
     * Settings shared by both harnesses. Defaults: operator name {@code "operator"}, subtask 0 of 1, 128 key
     * groups, batches of 1024 rows, operator id 1, no state directory.
     */
    public abstract static class Builder<B extends Builder<B, H>, H extends OperatorHarness> {
        protected final Supplier<? extends Operator> factory;
        private String name = "operator";
        private int subtask;
        private int parallelism = 1;
        private int maxParallelism = 128;
        private int batchSize = 1024;
        private int uid = 1;
        private @Nullable Path stateDirectory;

        protected Builder(Supplier<? extends Operator> factory) {
            this.factory = factory;
        }

        /** The operator's name, which its errors give. */
        public B name(String name) {
            this.name = name;
            return self();
        }

        public B subtask(int subtask, int parallelism) {
            this.subtask = subtask;
            this.parallelism = parallelism;
            return self();
        }

        /** The job's number of key groups. */
        public B maxParallelism(int maxParallelism) {
            this.maxParallelism = maxParallelism;
            return self();
        }

        public B batchSize(int batchSize) {
            this.batchSize = batchSize;
            return self();
        }

        /** The operator's id (its transformation id): side outputs are emitted under it. */
        public B uid(int uid) {
            this.uid = uid;
            return self();
        }

        /** Where checkpoints write their state files; needed by operators that write one. */
        public B stateDirectory(Path stateDirectory) {
            this.stateDirectory = stateDirectory;
            return self();
        }

        /** Opens a fresh operator. */
        public H open() throws Exception {
            return create(settings(), null);
        }

        /** Opens a fresh operator restored from {@code snapshots}, the handles of every old subtask of one checkpoint. */
        public H restore(List<StateHandle> snapshots) throws Exception {
            return create(settings(), StateHandle.restoreOf(snapshots, subtask, parallelism, maxParallelism));
        }

        protected abstract H create(Settings settings, @Nullable StateRestore restore) throws Exception;

        @SuppressWarnings("unchecked")
        private B self() {
            return (B) this;
        }

        private Settings settings() {
            return new Settings(name, subtask, parallelism, maxParallelism, batchSize, uid, stateDirectory);
        }
    }
}
