package io.riffle.engine.internal.plan;

import java.util.List;

/** The vertices of a job in topological order (every vertex after the vertices it reads from). */
public record PhysicalPlan(List<Vertex> vertices) {
    /** One line per vertex: its chain, parallelism and input edges; for logs, tests and {@code explain()}. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (Vertex v : vertices) {
            sb.append(v.name()).append(" [parallelism ").append(v.parallelism()).append(']');
            for (Edge e : v.inputs()) {
                sb.append(" <- ").append(e.partitioning()).append(" from '").append(e.from().name()).append('\'');
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
