package io.riffle.engine.internal.operator;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.hash.GroupBySpec;
import io.riffle.engine.KeyedProcessFunction;
import io.riffle.engine.Record;
import io.riffle.engine.Tuple;
import io.riffle.engine.internal.checkpoint.CorruptCheckpointException;
import io.riffle.engine.internal.runtime.Operator;
import io.riffle.engine.internal.runtime.OperatorSnapshot;
import io.riffle.engine.internal.runtime.Output;
import io.riffle.engine.internal.runtime.StateRestore;
import io.riffle.engine.internal.runtime.SubtaskContext;

/**
 * A {@link KeyedProcessFunction} over a keyed stream. Each key's entry {@code (key, has state, state
 * fields...)} is in {@link KeyedRecords} (off-heap key ids, records shared copy-on-write with a checkpoint),
 * and event-time and processing-time timers are ordered sets of
 * (time, key id), so each key has at most one timer per time and domain. Event-time timers fire when the
 * watermark reaches them, before the watermark goes on; processing-time timers when the wall clock does,
 * checked between batches. A checkpoint writes the entries and the timers by key group (the timers copied at
 * the barrier: they are few next to the keys) and the watermark; a restore re-inserts its key groups' keys
 * and goes on from the lowest old watermark, so {@code currentWatermark()} and the timers at or behind it
 * are as in a run without the failure (a Flink operator restarts from no watermark). Processing-time timers
 * still pending when the input ends do not fire.
 */
public final class KeyedProcessOperator extends Operator {
    private static final int ENTRY_KEY = 0;
    private static final int ENTRY_PRESENT = 1;
    private static final int ENTRY_STATE = 2;
    private static final long WATERMARK_MAGIC = 0x31304D5746504C52L; // "RLPFWM01"

    private final KeyedProcessFunction function;
    private final BatchSchema inputSchema;
    private final BatchSchema outputSchema;
    private final BatchSchema stateSchema;
    private final BatchSchema entrySchema;
    private final BatchSchema timerSchema;
    private final int keyField;
    /** Null without event time. */
    private final EventTimeField time;
    private final long budgetBytes;
    private final RowView view = new RowView();
    private final TreeSet<Timer> eventTimers = new TreeSet<>();
    private final TreeSet<Timer> processingTimers = new TreeSet<>();
    private final FunctionContext context = new FunctionContext();
    private KeyedRecords entries;
    private RecordWriter writer;
    private int batchSize;
    private int maxParallelism;
    private String name;
    private long watermark = Long.MIN_VALUE;

    /** A timer: a time and a key id, ordered by time, then key. */
    private record Timer(long time, int key) implements Comparable<Timer> {
        @Override
        public int compareTo(Timer o) {
            return time != o.time ? Long.compare(time, o.time) : Integer.compare(key, o.key);
        }
    }

    /** {@code stateSchema} may be null: the function keeps no state. {@code time}: null without event time. */
    public KeyedProcessOperator(KeyedProcessFunction function, BatchSchema inputSchema, int keyField,
                                EventTimeField time, BatchSchema outputSchema, BatchSchema stateSchema,
                                long budgetBytes) {
        this.function = function;
        this.inputSchema = inputSchema;
        this.keyField = keyField;
        this.time = time;
        this.outputSchema = outputSchema;
        this.stateSchema = stateSchema;
        this.budgetBytes = budgetBytes;
        Column key = inputSchema.column(keyField);
        List<Column> entry = new ArrayList<>();
        entry.add(key);
        entry.add(Column.of("has_state", ColumnType.BOOL));
        if (stateSchema != null) {
            for (int c = 0; c < stateSchema.columnCount(); c++) {
                entry.add(Column.nullable(stateSchema.column(c).name(), stateSchema.column(c).type()));
            }
        }
        this.entrySchema = BatchSchema.of(entry);
        this.timerSchema = BatchSchema.of(key, Column.of("time", ColumnType.INT64),
                Column.of("event_time", ColumnType.BOOL));
        // At plan time: the key must be of a type a table is keyed by.
        GroupBySpec.of(BatchSchema.of(key), 0);
    }

    @Override
    public void open(SubtaskContext context) {
        batchSize = context.batchSize();
        name = context.operatorName();
        maxParallelism = context.maxParallelism();
        entries = new KeyedRecords(inputSchema.column(keyField), context.allocator(), budgetBytes, maxParallelism);
        writer = new RecordWriter(name, outputSchema, context.allocator(), batchSize);
    }

    @Override
    public void process(RecordBatch batch, Output out) throws Exception {
        int n = batch.rowCount();
        if (n == 0) {
            return;
        }
        int[] keyIds = entries.ids(batch, keyField);
        writer.target(out);
        for (int row = 0; row < n; row++) {
            view.point(batch, row);
            int key = keyIds[row];
            if (key == entries.size()) {
                entries.add(emptyEntry(view.field(keyField)), entries.keyGroupOfRow(row));
            }
            context.point(key, time == null ? Long.MIN_VALUE : view.getLong(time.index()) + time.offsetMillis(), false);
            function.processElement(view, context, writer);
        }
        writer.flush();
    }

    private Tuple emptyEntry(Object key) {
        Object[] fields = new Object[entrySchema.columnCount()];
        fields[ENTRY_KEY] = key;
        fields[ENTRY_PRESENT] = false;
        return Tuple.of(fields);
    }

    /** Fires the event-time timers the watermark reaches, then passes it on. */
    @Override
    public void processWatermark(long watermark, Output out) throws Exception {
        if (watermark > this.watermark) {
            this.watermark = watermark;
            fire(eventTimers, watermark, true, out);
        }
        out.emitWatermark(watermark);
    }

    @Override
    public boolean usesProcessingTime() {
        return true;
    }

    @Override
    public void onProcessingTime(long nanoTime, Output out) throws Exception {
        if (!processingTimers.isEmpty()) {
            fire(processingTimers, System.currentTimeMillis(), false, out);
        }
    }

    private void fire(TreeSet<Timer> timers, long upTo, boolean eventTime, Output out) throws Exception {
        if (timers.isEmpty() || timers.first().time > upTo) {
            return;
        }
        writer.target(out);
        while (!timers.isEmpty() && timers.first().time <= upTo) {
            Timer timer = timers.pollFirst();
            context.point(timer.key, timer.time, eventTime);
            function.onTimer(timer.time, context, writer);
        }
        writer.flush();
    }

    /** What the function sees of its key: state, timers, time. */
    private final class FunctionContext implements KeyedProcessFunction.Context {
        private int key;
        private long timestamp;
        private boolean eventTimer;
        private final StateView state = new StateView();

        void point(int key, long timestamp, boolean eventTimer) {
            this.key = key;
            this.timestamp = timestamp;
            this.eventTimer = eventTimer;
        }

        @Override
        public Object currentKey() {
            return entries.get(key).field(ENTRY_KEY);
        }

        @Override
        public long timestamp() {
            return timestamp;
        }

        @Override
        public boolean isEventTimeTimer() {
            return eventTimer;
        }

        @Override
        public long currentWatermark() {
            return watermark;
        }

        @Override
        public long currentProcessingTime() {
            return System.currentTimeMillis();
        }

        @Override
        public void registerEventTimeTimer(long time) {
            eventTimers.add(new Timer(time, key));
        }

        @Override
        public void registerProcessingTimeTimer(long time) {
            processingTimers.add(new Timer(time, key));
        }

        @Override
        public void deleteEventTimeTimer(long time) {
            eventTimers.remove(new Timer(time, key));
        }

        @Override
        public void deleteProcessingTimeTimer(long time) {
            processingTimers.remove(new Timer(time, key));
        }

        @Override
        public Record state() {
            Tuple entry = entries.get(key);
            if (!(Boolean) entry.field(ENTRY_PRESENT)) {
                return null;
            }
            state.entry = entry;
            return state;
        }

        @Override
        public void setState(Record record) {
            Tuple entry = entries.get(key);
            Object[] fields = new Object[entrySchema.columnCount()];
            fields[ENTRY_KEY] = entry.field(ENTRY_KEY);
            fields[ENTRY_PRESENT] = record != null;
            if (record != null) {
                if (stateSchema == null) {
                    throw new IllegalStateException(name + " keeps state but declared no state schema: pass one to"
                            + " KeyedStream.process(function, outputSchema, stateSchema)");
                }
                SchemaCheck.fitting(record, stateSchema, "setState was given", "state schema");
                for (int f = 0; f < record.arity(); f++) {
                    fields[ENTRY_STATE + f] = record.field(f);
                }
            }
            entries.set(key, Tuple.of(fields));
        }
    }

    /** The state fields of an entry, as a record. */
    private static final class StateView implements Record {
        private Tuple entry;

        @Override
        public int arity() {
            return entry.arity() - ENTRY_STATE;
        }

        @Override
        public Object field(int index) {
            return entry.field(ENTRY_STATE + index);
        }

        @Override
        public String toString() {
            return RowView.format(this);
        }
    }

    @Override
    public OperatorSnapshot snapshotState(long checkpointId) {
        ReducedRecords.Snapshot entrySnapshot = entries.snapshot();
        ReducedRecords timers = new ReducedRecords();
        copyTimers(eventTimers, true, timers);
        copyTimers(processingTimers, false, timers);
        ReducedRecords.Snapshot timerSnapshot = timers.snapshot();
        long at = watermark;
        return new OperatorSnapshot() {
            @Override
            public long writeTo(Path file) throws IOException {
                return entrySnapshot.writeTo(file, entrySchema, maxParallelism)
                        + timerSnapshot.writeTo(timerFile(file), timerSchema, maxParallelism)
                        + writeWatermark(watermarkFile(file), at);
            }

            @Override
            public void close() {
            }
        };
    }

    private void copyTimers(TreeSet<Timer> from, boolean eventTime, ReducedRecords into) {
        for (Timer t : from) {
            into.add(Tuple.of(entries.get(t.key).field(ENTRY_KEY), t.time, eventTime), entries.keyGroup(t.key));
        }
    }

    private static Path timerFile(Path stateFile) {
        return stateFile.resolveSibling(stateFile.getFileName() + ".timers");
    }

    private static Path watermarkFile(Path stateFile) {
        return stateFile.resolveSibling(stateFile.getFileName() + ".watermark");
    }

    private static long writeWatermark(Path file, long watermark) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.allocate(16).putLong(WATERMARK_MAGIC).putLong(watermark).flip();
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
            ch.force(true);
        }
        return 16;
    }

    private static long readWatermark(Path file) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(StateFiles.readAll(file, "process function's watermark"));
        if (in.remaining() != 16 || in.getLong() != WATERMARK_MAGIC) {
            throw new CorruptCheckpointException(file + ": not a process function's watermark");
        }
        return in.getLong();
    }

    /**
     * This subtask's key groups of every old subtask's entries and timers, the keys going back into the
     * table; the watermark is the lowest old one, so that no timer fires early.
     */
    @Override
    public void restoreState(StateRestore restore) throws IOException {
        entries.restore(restore.files(), entrySchema, ENTRY_KEY, restore.keyGroups(), entry -> true, name, batchSize);
        List<Tuple> timers = new ArrayList<>();
        long lowest = Long.MAX_VALUE;
        for (Path file : restore.files()) {
            ReducedRecords.read(timerFile(file), timerSchema, restore.keyGroups(), (timer, keyGroup) -> timers.add(timer));
            lowest = Math.min(lowest, readWatermark(watermarkFile(file)));
        }
        if (!restore.files().isEmpty()) {
            watermark = lowest;
        }
        int[] timerKeys = entries.idsOf(timers, 0, batchSize);
        for (int i = 0; i < timers.size(); i++) {
            if (timerKeys[i] >= entries.size()) {
                throw new CorruptCheckpointException(name + ": a timer of key " + timers.get(i).field(0)
                        + " has no entry in the state");
            }
            Timer timer = new Timer(timers.get(i).getLong(1), timerKeys[i]);
            ((Boolean) timers.get(i).field(2) ? eventTimers : processingTimers).add(timer);
        }
    }

    @Override
    public void close() {
        if (writer != null) {
            writer.close();
        }
        if (entries != null) {
            entries.close();
        }
    }
}
