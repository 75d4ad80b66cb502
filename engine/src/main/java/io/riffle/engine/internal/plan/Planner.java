package io.riffle.engine.internal.plan;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the logical graph into vertices: resolves each transformation's parallelism, chains a
 * transformation onto its input where the records can go by direct call (a forward edge, or any edge
 * between parallelism-1 operators, to an input with no other consumer; a broadcast join onto its left
 * side's source chain, its build side then an edge into the middle of that chain), and makes channels
 * (edges) everywhere else. A forward edge between different parallelisms becomes a rebalance. Every
 * parallelism is checked against the max parallelism here, before anything of the job is built.
 */
public final class Planner {
    private Planner() {
    }

    /**
     * Plans the part of the graph that the given sinks read from; throws naming the first transformation
     * whose parallelism is above {@code maxParallelism}.
     */
    public static PhysicalPlan plan(List<Transformation> sinks, int defaultParallelism, int maxParallelism) {
        List<Transformation> order = new ArrayList<>();
        Map<Transformation, Integer> consumers = new IdentityHashMap<>();
        Map<Transformation, Boolean> visited = new IdentityHashMap<>();
        for (Transformation sink : sinks) {
            visit(sink, order, visited, consumers);
        }
        Map<Transformation, Integer> parallelism = new IdentityHashMap<>();
        for (Transformation t : order) {
            parallelism.put(t, checked(t, resolve(t, parallelism, defaultParallelism), maxParallelism));
        }
        Map<Transformation, Vertex> vertexOf = new IdentityHashMap<>();
        List<Vertex> vertices = new ArrayList<>();
        for (Transformation t : order) {
            int p = parallelism.get(t);
            if (t.kind() != Transformation.Kind.SOURCE && t.inputs().size() == 1 && t.sideOutput() < 0) {
                Transformation in = t.inputs().get(0);
                boolean samePartitions = t.partitioning() == Partitioning.FORWARD || p == 1;
                if (consumers.get(in) == 1 && parallelism.get(in) == p && samePartitions) {
                    Vertex v = vertexOf.get(in);
                    v.chain.add(t);
                    vertexOf.put(t, v);
                    continue;
                }
            }
            if (chainsBroadcastJoin(t, p, consumers, parallelism, vertexOf)) {
                Vertex v = vertexOf.get(t.inputs().get(0));
                Transformation build = t.inputs().get(1);
                Edge e = new Edge(vertexOf.get(build), v, Partitioning.BROADCAST, t.keyFieldOf(1), build.schema(), 1,
                        v.chain.size(), -1, -1);
                v.chain.add(t);
                vertexOf.put(t, v);
                vertexOf.get(build).outputs.add(e);
                v.inputs.add(e);
                continue;
            }
            Vertex v = new Vertex(vertices.size(), p, t);
            vertices.add(v);
            vertexOf.put(t, v);
            for (int input = 0; input < t.inputs().size(); input++) {
                Transformation in = t.inputs().get(input);
                Vertex from = vertexOf.get(in);
                Partitioning partitioning = t.partitioningOf(input);
                if (partitioning == Partitioning.FORWARD && from.parallelism() != p) {
                    partitioning = Partitioning.REBALANCE;
                }
                Edge e = t.sideOutput() < 0
                        ? new Edge(from, v, partitioning, t.keyFieldOf(input), in.schema(), input, 0, -1, -1)
                        : new Edge(from, v, partitioning, -1, t.schema(), input, 0, in.id(), t.sideOutput());
                from.outputs.add(e);
                v.inputs.add(e);
            }
        }
        return new PhysicalPlan(topological(vertices));
    }

    /**
     * The vertices with every one after those it reads from, otherwise in the order made: a chained broadcast
     * join's vertex was made before its build side's.
     */
    private static List<Vertex> topological(List<Vertex> vertices) {
        List<Vertex> order = new ArrayList<>();
        Map<Vertex, Boolean> placed = new IdentityHashMap<>();
        for (Vertex v : vertices) {
            place(v, order, placed);
        }
        return List.copyOf(order);
    }

    private static void place(Vertex v, List<Vertex> order, Map<Vertex, Boolean> placed) {
        if (placed.put(v, Boolean.TRUE) != null) {
            return;
        }
        for (Edge e : v.inputs) {
            place(e.from(), order, placed);
        }
        order.add(v);
    }

    /**
     * Whether broadcast join {@code t} runs in its left side's chain, when that chain starts at a source
     * and ends at the left side: the orders then reach the join by direct call rather than through a ring,
     * and the subtask reads its source only once the build side (the one input edge) has ended.
     */
    private static boolean chainsBroadcastJoin(Transformation t, int p, Map<Transformation, Integer> consumers,
                                               Map<Transformation, Integer> parallelism,
                                               Map<Transformation, Vertex> vertexOf) {
        if (t.inputs().size() != 2 || t.partitioningOf(0) != Partitioning.FORWARD
                || t.partitioningOf(1) != Partitioning.BROADCAST || t.sideOutput() >= 0) {
            return false;
        }
        Transformation left = t.inputs().get(0);
        Vertex v = vertexOf.get(left);
        return consumers.get(left) == 1 && parallelism.get(left) == p && v.source() != null
                && v != vertexOf.get(t.inputs().get(1));
    }

    private static void visit(Transformation t, List<Transformation> order, Map<Transformation, Boolean> visited,
                              Map<Transformation, Integer> consumers) {
        if (visited.containsKey(t)) {
            return;
        }
        visited.put(t, Boolean.TRUE);
        consumers.putIfAbsent(t, 0);
        for (Transformation in : t.inputs()) {
            visit(in, order, visited, consumers);
            consumers.merge(in, 1, Integer::sum);
        }
        order.add(t);
    }

    private static int checked(Transformation t, int parallelism, int maxParallelism) {
        if (parallelism > maxParallelism) {
            throw new IllegalArgumentException("'" + t.name() + "' would run at parallelism " + parallelism
                    + ", but parallelism must be between 1 and the max parallelism (" + maxParallelism
                    + "): lower the parallelism or raise setMaxParallelism");
        }
        return parallelism;
    }

    private static int resolve(Transformation t, Map<Transformation, Integer> resolved, int defaultParallelism) {
        int requested = t.parallelism();
        int p;
        if (requested > 0) {
            p = requested;
        } else if (requested == Transformation.INHERIT_PARALLELISM && !t.inputs().isEmpty()) {
            p = resolved.get(t.inputs().get(0));
        } else {
            p = defaultParallelism;
        }
        if (t.kind() == Transformation.Kind.SOURCE && p > t.source().maxParallelism()) {
            if (requested > 0) {
                throw new IllegalArgumentException("source '" + t.name() + "' can run at a parallelism of at most "
                        + t.source().maxParallelism() + ", not " + requested);
            }
            p = t.source().maxParallelism();
        }
        return p;
    }
}
