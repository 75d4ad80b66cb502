package io.riffle.connector.kafka;

/** What a {@link KafkaSink} promises about its output when the job fails and recovers. */
public enum DeliveryGuarantee {
    /** Records are sent and not waited for: a failure may lose what was in flight, and a restore repeats output. */
    NONE,
    /**
     * Every record a checkpoint covers is acknowledged by the broker before the checkpoint completes: nothing is
     * lost, but a restore sends again what came after the restored checkpoint.
     */
    AT_LEAST_ONCE,
    /**
     * Output is written in Kafka transactions, one per sink subtask and checkpoint, committed when the checkpoint
     * completes: a {@code read_committed} consumer sees each result exactly once, after the checkpoint that
     * covers it. Needs checkpoints (or a bounded job, committed at its end) and a transactional id prefix unique
     * to the job.
     */
    EXACTLY_ONCE
}
