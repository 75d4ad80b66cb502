package io.riffle.engine.internal.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.engine.connector.Sink;
import io.riffle.engine.connector.Source;
import io.riffle.engine.internal.operator.PassThroughOperator;
import io.riffle.engine.internal.operator.SinkOperator;
import io.riffle.engine.internal.runtime.Operator;

/**
 * The logical graph a program builds through the API: makes its transformations, numbering them in the order
 * they are made (an id names an operator's state in checkpoints, so the same program numbers them alike), and
 * keeps the sinks the next job runs. The API's streams are views of its transformations; how each one's inputs
 * reach it (forward, hash, rebalance, broadcast) and at what parallelism is decided here. Not thread-safe: a
 * program is built from one thread.
 */
public final class StreamGraph {
    private final List<Transformation> sinks = new ArrayList<>();
    private int nextId;

    /** The next transformation's id, for one made outside this class. */
    public int nextId() {
        return nextId++;
    }

    /** A source, at the environment's parallelism unless it sets its own. */
    public Transformation source(Source source) {
        return Transformation.source(nextId++, source, Transformation.DEFAULT_PARALLELISM);
    }

    /** An operator fed by {@code input} directly, at its parallelism, so that it chains onto it. */
    public Transformation forward(String name, Transformation input, BatchSchema schema, Supplier<Operator> operator) {
        return Transformation.operator(nextId++, name, List.of(input), Partitioning.FORWARD, -1, schema, operator,
                Transformation.INHERIT_PARALLELISM);
    }

    /**
     * A keyed operator: {@code input} hash partitioned by {@code keyField}, so that each key's records reach one
     * subtask in order, at the environment's parallelism.
     */
    public Transformation keyed(String name, Transformation input, int keyField, BatchSchema schema,
                                Supplier<Operator> operator) {
        return Transformation.operator(nextId++, name, List.of(input), Partitioning.HASH, keyField, schema, operator,
                Transformation.DEFAULT_PARALLELISM);
    }

    /** {@code input}'s batches spread round robin over the next operator's subtasks. */
    public Transformation rebalance(Transformation input) {
        return Transformation.operator(nextId++, "rebalance", List.of(input), Partitioning.REBALANCE, -1,
                input.schema(), PassThroughOperator::new, Transformation.DEFAULT_PARALLELISM);
    }

    /** The records of every input, which have the same schema. */
    public Transformation union(List<Transformation> inputs) {
        return Transformation.operator(nextId++, "union", inputs, Partitioning.FORWARD, -1, inputs.get(0).schema(),
                PassThroughOperator::new, Transformation.DEFAULT_PARALLELISM);
    }

    /** The records {@code parent}'s operator emits to its side output {@code index}. */
    public Transformation sideOutput(Transformation parent, int index) {
        return Transformation.sideOutput(nextId++, parent, index, PassThroughOperator::new);
    }

    /** An operator of two inputs, each hash partitioned by its key field: see {@link Transformation#twoInput}. */
    public Transformation twoInput(String name, Transformation left, Transformation right, int leftKey, int rightKey,
                                   BatchSchema schema, Supplier<Operator> operator) {
        return Transformation.twoInput(nextId++, name, left, right, leftKey, rightKey, schema, operator);
    }

    /** A two-input operator whose right input reaches every subtask whole: see {@link Transformation#broadcastTwoInput}. */
    public Transformation broadcastTwoInput(String name, Transformation left, Transformation right, int leftKey,
                                            int rightKey, BatchSchema schema, Supplier<Operator> operator) {
        return Transformation.broadcastTwoInput(nextId++, name, left, right, leftKey, rightKey, schema, operator);
    }

    /** Writes {@code input}'s records to {@code sink} in the next job. */
    public void addSink(Sink sink, Transformation input) {
        BatchSchema schema = input.schema();
        sinks.add(Transformation.sink(nextId++, sink, input, () -> new SinkOperator(sink, schema)));
    }

    /**
     * The physical plan of the sinks added since the last job: throws when there are none, or naming the first
     * transformation whose parallelism is above {@code maxParallelism}.
     */
    public PhysicalPlan plan(int defaultParallelism, int maxParallelism) {
        if (sinks.isEmpty()) {
            throw new IllegalStateException("the job has no sink, so it would compute nothing: end a stream with "
                    + "print(), collect(list), forEachBatch(consumer) or addSink(sink) before execute()");
        }
        return Planner.plan(sinks, defaultParallelism, maxParallelism);
    }

    /** Forgets the sinks: they belong to the job that was started with them. */
    void clearSinks() {
        sinks.clear();
    }
}
