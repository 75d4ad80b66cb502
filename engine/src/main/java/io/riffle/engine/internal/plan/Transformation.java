package io.riffle.engine.internal.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.engine.connector.Sink;
import io.riffle.engine.connector.Source;
import io.riffle.engine.internal.operator.EventTimeField;
import io.riffle.engine.internal.runtime.Operator;

/**
 * One node of the logical graph the API builds: a source, an operator over one or more inputs, or a
 * sink. Its output schema is known when it is made, so field errors are found before the job runs.
 */
public final class Transformation {
    /** Parallelism: the environment's default. */
    public static final int DEFAULT_PARALLELISM = 0;
    /** Parallelism: the same as the (first) input's, so that the operator chains onto it. */
    public static final int INHERIT_PARALLELISM = -1;

    public enum Kind { SOURCE, OPERATOR, SINK }

    private final int id;
    private final String name;
    private final Kind kind;
    private final List<Transformation> inputs;
    private final Partitioning partitioning;
    private final int keyField;
    /** A two-input operator's key field in each input; null otherwise. */
    private final int[] inputKeyFields;
    /** How each input reaches a two-input operator, where they differ (a broadcast join); null: {@link #partitioning}. */
    private Partitioning[] inputPartitionings;
    private final BatchSchema schema;
    private final Source source;
    private final Sink sink;
    private final Supplier<Operator> operator;
    private int parallelism;
    /** For a side output: which of its input's side outputs it carries; -1 otherwise. */
    private int sideOutput = -1;
    /** The side outputs this transformation's operator emits, by index: names and schemas. */
    private final List<String> sideNames = new ArrayList<>();
    private final List<BatchSchema> sideSchemas = new ArrayList<>();
    private final List<EventTimeField> sideEventTimes = new ArrayList<>();

    private Transformation(int id, String name, Kind kind, List<Transformation> inputs, Partitioning partitioning,
                           int keyField, int[] inputKeyFields, BatchSchema schema, Source source, Sink sink,
                           Supplier<Operator> operator, int parallelism) {
        this.id = id;
        this.name = name;
        this.kind = kind;
        this.inputs = List.copyOf(inputs);
        this.partitioning = partitioning;
        this.keyField = keyField;
        this.inputKeyFields = inputKeyFields;
        this.schema = schema;
        this.source = source;
        this.sink = sink;
        this.operator = operator;
        this.parallelism = parallelism;
    }

    public static Transformation source(int id, Source source, int parallelism) {
        return new Transformation(id, source.name(), Kind.SOURCE, List.of(), Partitioning.FORWARD, -1, null,
                source.schema(), source, null, null, parallelism);
    }

    /** An operator whose inputs reach it as {@code partitioning} says ({@code keyField} for HASH). */
    public static Transformation operator(int id, String name, List<Transformation> inputs, Partitioning partitioning,
                                          int keyField, BatchSchema schema, Supplier<Operator> operator,
                                          int parallelism) {
        return new Transformation(id, name, Kind.OPERATOR, inputs, partitioning, keyField, null, schema, null, null,
                operator, parallelism);
    }

    /**
     * An operator of two inputs, each partitioned by its key field ({@code leftKey} in {@code left},
     * {@code rightKey} in {@code right}) so that equal keys meet in one subtask; the operator is told which
     * input each batch came from ({@code Operator.process(input, batch, out)}).
     */
    public static Transformation twoInput(int id, String name, Transformation left, Transformation right, int leftKey,
                                          int rightKey, BatchSchema schema, Supplier<Operator> operator) {
        return new Transformation(id, name, Kind.OPERATOR, List.of(left, right), Partitioning.HASH, leftKey,
                new int[] {leftKey, rightKey}, schema, null, null, operator, DEFAULT_PARALLELISM);
    }

    /**
     * A two-input operator whose {@code left} input stays where it is (forward, rebalanced where the
     * parallelisms differ) and whose {@code right} input reaches every subtask whole (broadcast).
     */
    public static Transformation broadcastTwoInput(int id, String name, Transformation left, Transformation right,
                                                   int leftKey, int rightKey, BatchSchema schema,
                                                   Supplier<Operator> operator) {
        Transformation t = twoInput(id, name, left, right, leftKey, rightKey, schema, operator);
        t.inputPartitionings = new Partitioning[] {Partitioning.FORWARD, Partitioning.BROADCAST};
        return t;
    }

    /**
     * The records {@code parent}'s operator emits to its side output {@code index} (see
     * {@link #declareSideOutput}); never chained, it reaches its consumers through an edge of its own.
     */
    public static Transformation sideOutput(int id, Transformation parent, int index, Supplier<Operator> passThrough) {
        Transformation t = new Transformation(id, parent.name + ".side(" + parent.sideNames.get(index) + ")",
                Kind.OPERATOR, List.of(parent), Partitioning.FORWARD, -1, null, parent.sideSchemas.get(index), null,
                null, passThrough, INHERIT_PARALLELISM);
        t.sideOutput = index;
        return t;
    }

    /**
     * Declares a side output of this transformation's operator, whose records carry event time in
     * {@code eventTime} (null: none); returns its index (the operator's tag for it).
     */
    public int declareSideOutput(String name, BatchSchema schema, EventTimeField eventTime) {
        sideNames.add(name);
        sideSchemas.add(schema);
        sideEventTimes.add(eventTime);
        return sideNames.size() - 1;
    }

    /** Where the records of side output {@code index} carry their event time; null when they have none. */
    public EventTimeField sideEventTime(int index) {
        return sideEventTimes.get(index);
    }

    /** The index of the side output named {@code name}, or -1. */
    public int sideOutputIndex(String name) {
        return sideNames.indexOf(name);
    }

    /** For a side output stream, the index of its input's side output it carries; -1 for any other. */
    public int sideOutput() {
        return sideOutput;
    }

    public static Transformation sink(int id, Sink sink, Transformation input, Supplier<Operator> operator) {
        int parallelism = sink.parallelism() > 0 ? sink.parallelism() : INHERIT_PARALLELISM;
        return new Transformation(id, sink.name(), Kind.SINK, List.of(input), Partitioning.FORWARD, -1, null,
                input.schema(), null, sink, operator, parallelism);
    }

    public int id() {
        return id;
    }

    public String name() {
        return name;
    }

    public Kind kind() {
        return kind;
    }

    public List<Transformation> inputs() {
        return inputs;
    }

    /** How input {@code input} reaches this transformation. */
    public Partitioning partitioningOf(int input) {
        return inputPartitionings != null ? inputPartitionings[input] : partitioning;
    }

    public Partitioning partitioning() {
        return partitioning;
    }

    /** The key field in input {@code input}: a two-input operator's own per input, else {@link #keyField()}. */
    public int keyFieldOf(int input) {
        return inputKeyFields != null ? inputKeyFields[input] : keyField;
    }

    public int keyField() {
        return keyField;
    }

    /** The schema of the batches this transformation emits (a sink: the schema it takes). */
    public BatchSchema schema() {
        return schema;
    }

    public Source source() {
        return source;
    }

    public Sink sink() {
        return sink;
    }

    public Supplier<Operator> operator() {
        return operator;
    }

    /** The requested parallelism: positive, {@link #DEFAULT_PARALLELISM} or {@link #INHERIT_PARALLELISM}. */
    public int parallelism() {
        return parallelism;
    }

    public void setParallelism(int parallelism) {
        this.parallelism = parallelism;
    }

    @Override
    public String toString() {
        return name + "#" + id;
    }
}
