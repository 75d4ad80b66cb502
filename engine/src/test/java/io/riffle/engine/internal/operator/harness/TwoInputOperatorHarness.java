package io.riffle.engine.internal.operator.harness;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.internal.runtime.Operator;
import io.riffle.engine.internal.runtime.StateRestore;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * An {@link OperatorHarness} for an operator of two inputs (a join): rows go to input 0 ({@link #processLeft})
 * or 1 ({@link #processRight}); a watermark is both inputs' together, as the runtime combines them before the
 * operator sees one.
 *
 * <pre>{@code
 * try (TwoInputOperatorHarness h = TwoInputOperatorHarness.builder(() -> newJoin(), LEFT, RIGHT).open()) {
 *     h.processLeft(row(1L, Instant.ofEpochMilli(100), 1L));
 *     h.processRight(row(1L, 95L, 3L));
 *     h.endInput();
 * }
 * }</pre>
 */
public final class TwoInputOperatorHarness extends OperatorHarness {
    private final BatchSchema left;
    private final BatchSchema right;
    private final KeyRouting leftRouting;
    private final KeyRouting rightRouting;
    private final boolean[] ended = new boolean[2];

    private TwoInputOperatorHarness(Settings settings, Supplier<? extends Operator> factory, BatchSchema left,
                                    BatchSchema right, KeyRouting leftRouting, KeyRouting rightRouting,
                                    @Nullable StateRestore restore) throws Exception {
        super(settings, factory, restore);
        this.left = left;
        this.right = right;
        this.leftRouting = leftRouting;
        this.rightRouting = rightRouting;
    }

    /** A harness for the operators {@code factory} makes, fed rows of {@code left} (input 0) and {@code right} (input 1). */
    public static Builder builder(Supplier<? extends Operator> factory, BatchSchema left, BatchSchema right) {
        return new Builder(factory, left, right);
    }

    /**
     * Feeds {@code rows} (see {@link #row}) to input 0 in batches of at most the batch size; when the harness
     * is {@link Builder#keyedBy keyed}, only those whose key this subtask owns.
     */
    public void processLeft(Object[]... rows) throws Exception {
        processRows(0, left, leftRouting.keyed() ? ownedRows(left, leftRouting.field(), rows) : rows);
    }

    /** As {@link #processLeft}, to input 1. */
    public void processRight(Object[]... rows) throws Exception {
        processRows(1, right, rightRouting.keyed() ? ownedRows(right, rightRouting.field(), rows) : rows);
    }

    /** Feeds {@code batch} to input {@code input} (0 or 1) as it is; it stays the caller's. */
    public void process(int input, RecordBatch batch) throws Exception {
        processBatch(input, batch);
    }

    /**
     * Input {@code input} ends ({@link Operator#endOfInput}); when it is the last, the runtime's end of the
     * chain follows: the final watermark first (unless it came already), then {@link Operator#endInput}.
     */
    public void endInput(int input) throws Exception {
        if (ended[input]) {
            throw new IllegalStateException("input " + input + " has ended already");
        }
        ended[input] = true;
        endOfInput(input, ended[0] && ended[1]);
    }

    /** Ends the inputs that have not ended, input 0 first. */
    @Override
    public void endInput() throws Exception {
        for (int input = 0; input < 2; input++) {
            if (!ended[input]) {
                endInput(input);
            }
        }
    }

    @Override
    public TwoInputOperatorHarness restore(List<StateHandle> snapshots, int subtask, int parallelism) throws Exception {
        Settings at = settings().withSubtask(subtask, parallelism);
        return new TwoInputOperatorHarness(at, factory(), left, right, leftRouting, rightRouting,
                StateHandle.restoreOf(snapshots, subtask, parallelism, at.maxParallelism()));
    }

    /** Settings of a {@link TwoInputOperatorHarness}; see {@link OperatorHarness.Builder}. */
    public static final class Builder extends OperatorHarness.Builder<Builder, TwoInputOperatorHarness> {
        private final BatchSchema left;
        private final BatchSchema right;
        private KeyRouting leftRouting = KeyRouting.ALL_ROWS;
        private KeyRouting rightRouting = KeyRouting.ALL_ROWS;

        private Builder(Supplier<? extends Operator> factory, BatchSchema left, BatchSchema right) {
            super(factory);
            this.left = left;
            this.right = right;
        }

        /**
         * Both inputs are keyed, by {@code leftKey} and {@code rightKey}: rows whose key this subtask does not
         * own are not passed on, as the runtime's keyed edges would not send them, so every subtask can be fed
         * the same rows.
         */
        public Builder keyedBy(int leftKey, int rightKey) {
            this.leftRouting = KeyRouting.by(left.checkIndex(leftKey));
            this.rightRouting = KeyRouting.by(right.checkIndex(rightKey));
            return this;
        }

        @Override
        protected TwoInputOperatorHarness create(Settings settings, @Nullable StateRestore restore) throws Exception {
            return new TwoInputOperatorHarness(settings, factory, left, right, leftRouting, rightRouting, restore);
        }
    }
}
