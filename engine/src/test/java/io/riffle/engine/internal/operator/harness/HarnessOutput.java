package io.riffle.engine.internal.operator.harness;

import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.internal.runtime.Output;
import io.riffle.engine.internal.runtime.Watermark;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything an operator under an {@link OperatorHarness} emitted, copied out of its batches (a batch is
 * only valid during {@link Output#emit}): main output rows, watermarks in order, side outputs by index, and
 * the rows and watermarks interleaved as they came. Rows are lists of the values {@link RecordBatch#value}
 * gives (Long, String, Instant for timestamps...); as strings they read {@code (1,a,10)}, a timestamp as its
 * epoch milliseconds.
 * It checks the {@link Output} contract as it goes: dense batches only, side outputs of its own operator only.
 */
public final class HarnessOutput implements Output {
    private final int uid;
    private final List<List<Object>> rows = new ArrayList<>();
    private final List<Long> watermarks = new ArrayList<>();
    private final Map<Integer, List<List<Object>>> sides = new TreeMap<>();
    private final List<String> events = new ArrayList<>();
    private final List<Integer> batchRowCounts = new ArrayList<>();

    HarnessOutput(int uid) {
        this.uid = uid;
    }

    @Override
    public void emit(RecordBatch batch) {
        batchRowCounts.add(batch.rowCount());
        for (List<Object> row : copy(batch, "main output")) {
            rows.add(row);
            events.add(format(row));
        }
    }

    @Override
    public void emitWatermark(long watermark) {
        watermarks.add(watermark);
        events.add("watermark " + (watermark == Watermark.MAX ? "MAX" : watermark == Watermark.IDLE ? "IDLE"
                : Long.toString(watermark)));
    }

    @Override
    public void emitSide(int operator, int index, RecordBatch batch) {
        if (operator != uid) {
            throw new IllegalStateException("side output " + index + " was emitted under operator id " + operator
                    + ", not the id " + uid + " the operator was opened with");
        }
        List<List<Object>> side = sides.computeIfAbsent(index, i -> new ArrayList<>());
        for (List<Object> row : copy(batch, "side output " + index)) {
            side.add(row);
            events.add("side " + index + " " + format(row));
        }
    }

    /** The main output's rows, in the order emitted. */
    public List<List<Object>> rows() {
        return List.copyOf(rows);
    }

    /** The main output's rows as {@code (v0,v1,...)}, in the order emitted. */
    public List<String> rowStrings() {
        List<String> result = new ArrayList<>(rows.size());
        for (List<Object> row : rows) {
            result.add(format(row));
        }
        return result;
    }

    /** The main output's rows as {@code (v0,v1,...)}, sorted: for operators whose order between keys is free. */
    public List<String> sortedRowStrings() {
        List<String> result = rowStrings();
        result.sort(null);
        return result;
    }

    /** The watermarks emitted, in order ({@link Watermark#MAX} and {@link Watermark#IDLE} as they are). */
    public List<Long> watermarks() {
        return List.copyOf(watermarks);
    }

    /** The rows of side output {@code index}, in the order emitted; empty when it had none. */
    public List<List<Object>> sideRows(int index) {
        return List.copyOf(sides.getOrDefault(index, List.of()));
    }

    /**
     * Rows and watermarks as they came: {@code (1,a)}, {@code watermark 9} ({@code watermark MAX},
     * {@code watermark IDLE}), {@code side 0 (1,a)}.
     */
    public List<String> events() {
        return List.copyOf(events);
    }

    /** The number of rows of each main-output batch, in order: how the operator cut its output. */
    public List<Integer> batchRowCounts() {
        return List.copyOf(batchRowCounts);
    }

    /** Forgets what was collected, so that a test can look at what comes next alone. */
    public void clear() {
        rows.clear();
        watermarks.clear();
        sides.clear();
        events.clear();
        batchRowCounts.clear();
    }

    /** A row as {@code (v0,v1,...)}, a timestamp as its epoch milliseconds. */
    public static String format(List<Object> row) {
        StringBuilder sb = new StringBuilder("(");
        for (int c = 0; c < row.size(); c++) {
            Object value = row.get(c);
            sb.append(c > 0 ? "," : "").append(value instanceof Instant t ? t.toEpochMilli() : value);
        }
        return sb.append(')').toString();
    }

    private static List<List<Object>> copy(RecordBatch batch, String where) {
        if (batch.selection() != null) {
            throw new IllegalStateException("a batch with a selection was emitted to the " + where
                    + ": an operator emits dense batches");
        }
        List<List<Object>> copied = new ArrayList<>(batch.rowCount());
        for (int r = 0; r < batch.rowCount(); r++) {
            Object[] values = new Object[batch.columnCount()];
            for (int c = 0; c < values.length; c++) {
                values[c] = batch.value(r, c);
            }
            copied.add(Arrays.asList(values));
        }
        return copied;
    }
}
