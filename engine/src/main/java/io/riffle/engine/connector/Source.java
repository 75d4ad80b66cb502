package io.riffle.engine.connector;

import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import org.jspecify.annotations.Nullable;

/**
 * A source of record batches, bounded (a file, a collection) or not (a Kafka topic). The planner asks it for
 * its schema (so that field errors surface when the job is built) and creates one {@link SourceReader} per
 * subtask.
 */
public interface Source {
    /** A short name for plans, metrics and errors, e.g. {@code "csv(orders.csv)"}. */
    String name();

    /** The schema of every batch the readers return. */
    BatchSchema schema();

    /** The most subtasks that can read in parallel; 1 for a source that cannot be split. */
    default int maxParallelism() {
        return Integer.MAX_VALUE;
    }

    /**
     * The field holding event time when the readers make watermarks themselves ({@link SourceReader#watermark()}),
     * per split, as Flink's sources do for Kafka partitions; null (the default) when event time comes from
     * {@code DataStream.assignTimestampsAndWatermarks} downstream. It must be a {@code timestamp[ms]} or
     * {@code int64} field of {@link #schema()}.
     */
    default @Nullable String eventTimeField() {
        return null;
    }

    /**
     * The side outputs the readers fill ({@link SourceReader#sideBatch}), in index order; none by default.
     */
    default List<SourceSideOutput> sideOutputs() {
        return List.of();
    }

    /** The reader for subtask {@code context.subtask()} of {@code context.parallelism()}. */
    SourceReader createReader(TaskContext context) throws Exception;

    /**
     * Whether readers can say where they are ({@link SourceReader#position()}) and be started again from
     * there ({@link #restoreReader}): what exactly-once recovery needs of a source.
     */
    default boolean isRewindable() {
        return false;
    }

    /**
     * A reader that goes on from {@code positions}: the positions that earlier readers reported, those of
     * old subtask {@code i} given to new subtask {@code i mod parallelism}, so a checkpoint taken at one
     * parallelism can be restored at another. It returns exactly the records those readers had not
     * returned yet. An empty list means this subtask has nothing left to read.
     */
    default SourceReader restoreReader(TaskContext context, List<byte[]> positions) throws Exception {
        throw new UnsupportedOperationException("source '" + name() + "' cannot be rewound");
    }

    /**
     * Checkpoint {@code checkpointId} is complete, with {@code positions}: what this source's readers reported
     * ({@link SourceReader#position()}), one per subtask that had one. Called on the job's checkpoint thread,
     * for a rewindable source; a source that tells an outside system how far the job got (a Kafka consumer
     * group's offsets, for monitoring tools) does it here. A failure is logged and fails nothing: recovery
     * reads the positions in the checkpoint, not what this reported.
     */
    default void checkpointComplete(long checkpointId, List<byte[]> positions) throws Exception {
    }
}
