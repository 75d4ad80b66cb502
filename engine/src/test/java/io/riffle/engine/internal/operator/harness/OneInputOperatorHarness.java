package io.riffle.engine.internal.operator.harness;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.internal.runtime.Operator;
import io.riffle.engine.internal.runtime.StateRestore;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * An {@link OperatorHarness} for an operator of one input:
 *
 * <pre>{@code
 * try (OneInputOperatorHarness h = OneInputOperatorHarness.builder(() -> newOperator(), EVENTS).open()) {
 *     h.process(row(1L, "a", 10L), row(2L, "b", 20L));
 *     h.processWatermark(99);
 *     assertEquals(List.of("(1,a,10)"), h.output().rowStrings());
 * }
 * }</pre>
 */
public final class OneInputOperatorHarness extends OperatorHarness {
    private final BatchSchema input;
    private final KeyRouting routing;
    private boolean ended;

    private OneInputOperatorHarness(Settings settings, Supplier<? extends Operator> factory, BatchSchema input,
                                    KeyRouting routing, @Nullable StateRestore restore) throws Exception {
        super(settings, factory, restore);
        this.input = input;
        this.routing = routing;
    }

    /** A harness for the operators {@code factory} makes, fed rows of {@code input}. */
    public static Builder builder(Supplier<? extends Operator> factory, BatchSchema input) {
        return new Builder(factory, input);
    }

    /**
     * Feeds {@code rows} (see {@link #row}) in batches of at most the batch size; when the harness is
     * {@link Builder#keyedBy keyed}, only those whose key this subtask owns.
     */
    public void process(Object[]... rows) throws Exception {
        processRows(0, input, routing.keyed() ? ownedRows(input, routing.field(), rows) : rows);
    }

    /** Feeds {@code batch} as it is; it stays the caller's. */
    public void process(RecordBatch batch) throws Exception {
        processBatch(0, batch);
    }

    /**
     * The input ends, as the runtime ends it: the final watermark unless it came already,
     * {@link Operator#endOfInput} of input 0, then {@link Operator#endInput}.
     */
    @Override
    public void endInput() throws Exception {
        if (ended) {
            throw new IllegalStateException("the input has ended already");
        }
        ended = true;
        endOfInput(0, true);
    }

    @Override
    public OneInputOperatorHarness restore(List<StateHandle> snapshots, int subtask, int parallelism) throws Exception {
        Settings at = settings().withSubtask(subtask, parallelism);
        return new OneInputOperatorHarness(at, factory(), input, routing,
                StateHandle.restoreOf(snapshots, subtask, parallelism, at.maxParallelism()));
    }

    /** Settings of a {@link OneInputOperatorHarness}; see {@link OperatorHarness.Builder}. */
    public static final class Builder extends OperatorHarness.Builder<Builder, OneInputOperatorHarness> {
        private final BatchSchema input;
        private KeyRouting routing = KeyRouting.ALL_ROWS;

        private Builder(Supplier<? extends Operator> factory, BatchSchema input) {
            super(factory);
            this.input = input;
        }

        /**
         * The input is keyed by field {@code keyField}: {@link #process} passes on only the rows whose key
         * this subtask owns, as the runtime's keyed edge would, so every subtask can be fed the same rows.
         */
        public Builder keyedBy(int keyField) {
            this.routing = KeyRouting.by(input.checkIndex(keyField));
            return this;
        }

        @Override
        protected OneInputOperatorHarness create(Settings settings, @Nullable StateRestore restore) throws Exception {
            return new OneInputOperatorHarness(settings, factory, input, routing, restore);
        }
    }
}
