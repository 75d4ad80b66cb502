package io.riffle.engine.internal.operator;

import java.util.Arrays;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.SelectionVector;
import io.riffle.columnar.kernel.EventTimeKernel;
import io.riffle.columnar.kernel.GatherKernel;
import io.riffle.engine.internal.runtime.Output;
import io.riffle.engine.internal.runtime.SubtaskContext;
import org.apache.arrow.vector.FieldVector;

/**
 * Assigns a batch's rows to the panes of a pane-based window operator (tumbling and sliding windows kept by
 * pane, {@link WindowSpec#pane()} long): the window kernel computes each row's pane over the timestamp column;
 * a batch in a single on-time pane (the usual case) is handed on as it is, else each pane's rows are gathered
 * into one scratch batch and handed on pane by pane. Rows whose every window has fired and is past its allowed
 * lateness, and late rows between the windows of a slide longer than the size, go to {@link LateRecords}. One
 * call per pane, none per row; nothing is allocated per batch once the arrays fit the batch size. Owned by
 * the operator's thread; closing frees the scratch batch.
 */
final class PaneSplitter implements AutoCloseable {
    /** What the operator does with the on-time rows of one pane; {@code rows} is only valid during the call. */
    @FunctionalInterface
    interface PaneUpdate {
        void update(long paneStart, RecordBatch rows) throws Exception;
    }

    private final EventTimeField time;
    private final long pane;
    private final long offset;
    private final PaneClock clock;
    private final LateRecords late;
    private final RecordBatch scratch;
    private final SelectionVector selection = new SelectionVector(1024);
    /** Each row's pane start. */
    private long[] starts = new long[1024];
    /** The distinct panes of the batch being split, in order of first row. */
    private long[] batchPanes = new long[8];

    PaneSplitter(BatchSchema inputSchema, EventTimeField time, WindowSpec windows, PaneClock clock,
                 LateOutput lateOutput, SubtaskContext context) {
        this.time = time;
        this.pane = windows.pane();
        this.offset = windows.offset();
        this.clock = clock;
        this.late = new LateRecords(lateOutput, context);
        this.scratch = RecordBatch.allocate(inputSchema, context.allocator(), context.batchSize());
    }

    /** Hands {@code batch}'s on-time rows to {@code update}, pane by pane; drops its late rows. */
    void split(RecordBatch batch, Output out, PaneUpdate update) throws Exception {
        int n = batch.rowCount();
        if (n == 0) {
            return;
        }
        FieldVector timestamps = time.timestamps(batch);
        if (starts.length < n) {
            starts = new long[Math.max(n, starts.length * 2)];
        }
        boolean onePane = EventTimeKernel.windowStarts(timestamps, n, time.offsetMillis(), pane, offset, starts);
        if (onePane && clock.inWindow(starts[0]) && !clock.isLate(starts[0])) {
            update.update(starts[0], batch);
            return;
        }
        int distinct = distinctPanes(n);
        selection.ensureCapacity(n);
        int[] rows = selection.rows();
        for (int d = 0; d < distinct; d++) {
            long start = batchPanes[d];
            int count = 0;
            for (int i = 0; i < n; i++) {
                if (starts[i] == start) {
                    rows[count++] = i;
                }
            }
            selection.setSize(count);
            if (!clock.inWindow(start)) {
                clock.keepLateBetweenWindows(timestamps, time.offsetMillis(), selection);
                late.drop(batch, selection, scratch, out);
            } else if (clock.isLate(start)) {
                late.drop(batch, selection, scratch, out);
            } else {
                GatherKernel.gather(batch, selection, scratch);
                update.update(start, scratch);
            }
        }
    }

    /** Collects the distinct panes of {@code starts[0 .. n)} into {@link #batchPanes}; returns how many. */
    private int distinctPanes(int n) {
        int distinct = 0;
        for (int i = 0; i < n; i++) {
            if (i == 0 || starts[i] != starts[i - 1]) {
                distinct = addDistinct(starts[i], distinct);
            }
        }
        return distinct;
    }

    private int addDistinct(long start, int distinct) {
        for (int d = 0; d < distinct; d++) {
            if (batchPanes[d] == start) {
                return distinct;
            }
        }
        if (distinct == batchPanes.length) {
            batchPanes = Arrays.copyOf(batchPanes, distinct * 2);
        }
        batchPanes[distinct] = start;
        return distinct + 1;
    }

    @Override
    public void close() {
        scratch.close();
    }
}
