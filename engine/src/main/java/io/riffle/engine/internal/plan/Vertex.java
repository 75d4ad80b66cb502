package io.riffle.engine.internal.plan;

import java.util.ArrayList;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.engine.connector.Source;

/**
 * A chain of transformations that run in one tasklet per subtask, calling each other directly: an
 * optional source, then operators. Records enter through the input edges (or the source) and leave
 * through the output edges.
 */
public final class Vertex {
    private final int id;
    private final int parallelism;
    private final Source source;
    private final String sourceName;
    private final int sourceId;
    final List<Transformation> chain = new ArrayList<>();
    final List<Edge> inputs = new ArrayList<>();
    final List<Edge> outputs = new ArrayList<>();

    Vertex(int id, int parallelism, Transformation head) {
        this.id = id;
        this.parallelism = parallelism;
        this.source = head.kind() == Transformation.Kind.SOURCE ? head.source() : null;
        this.sourceName = source == null ? null : head.name();
        this.sourceId = source == null ? -1 : head.id();
        if (source == null) {
            chain.add(head);
        }
    }

    public int id() {
        return id;
    }

    public int parallelism() {
        return parallelism;
    }

    /** The source the chain starts with, or null when records come in through the input edges. */
    public Source source() {
        return source;
    }

    /** The source's transformation id, which names its positions in checkpoints; -1 without a source. */
    public int sourceId() {
        return sourceId;
    }

    public String sourceName() {
        return sourceName;
    }

    /** The operators, in order (a source is not among them). */
    public List<Transformation> chain() {
        return chain;
    }

    public List<Edge> inputs() {
        return inputs;
    }

    public List<Edge> outputs() {
        return outputs;
    }

    /** The schema leaving the chain. */
    public BatchSchema outputSchema() {
        return chain.isEmpty() ? source.schema() : chain.get(chain.size() - 1).schema();
    }

    /** The chain's names joined by " -> ", for plans and tasklet names. */
    public String name() {
        StringBuilder sb = new StringBuilder(sourceName == null ? "" : sourceName);
        for (Transformation t : chain) {
            sb.append(sb.length() == 0 ? "" : " -> ").append(t.name());
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return name() + " [" + parallelism + "]";
    }
}
