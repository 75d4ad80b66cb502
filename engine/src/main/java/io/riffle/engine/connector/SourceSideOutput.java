package io.riffle.engine.connector;

import io.riffle.columnar.batch.BatchSchema;

/**
 * A side output of a {@link Source}: records its readers set aside beside the stream they return (a Kafka
 * source's records that could not be decoded). {@code DataStream.getSideOutput(new OutputTag(name))} reads it.
 */
public record SourceSideOutput(String name, BatchSchema schema) {
    public SourceSideOutput {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a side output needs a name");
        }
        if (schema == null) {
            throw new IllegalArgumentException("side output '" + name + "' needs a schema");
        }
    }
}
