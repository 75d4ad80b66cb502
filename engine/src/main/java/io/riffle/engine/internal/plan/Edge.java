package io.riffle.engine.internal.plan;

import io.riffle.columnar.batch.BatchSchema;

/**
 * Channels from every subtask of {@code from} to the subtasks of {@code to} (FORWARD: subtask i to i),
 * feeding input {@code input} of the transformation at {@code chainIndex} in {@code to}'s chain: the first
 * (0), except for the build side of a broadcast join chained onto the source of its left side. A side edge
 * ({@code sideOperator} not -1) carries side output {@code sideIndex} of the operator with that
 * transformation id, nothing else.
 */
public record Edge(Vertex from, Vertex to, Partitioning partitioning, int keyField, BatchSchema schema, int input,
                   int chainIndex, int sideOperator, int sideIndex) {
}
