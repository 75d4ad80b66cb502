package io.riffle.engine.internal.plan;

/** How records travel from a transformation's input to it. */
public enum Partitioning {
    /** Subtask i to subtask i; chained (a direct call) where parallelism allows, else rebalanced. */
    FORWARD,
    /** Each row to the subtask owning its key's key group. */
    HASH,
    /** Whole batches round robin over the downstream subtasks. */
    REBALANCE,
    /** Every batch to every downstream subtask: the small side of a broadcast join. */
    BROADCAST
}
