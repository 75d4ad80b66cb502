package io.riffle.engine.internal.operator;

import io.riffle.columnar.batch.BatchSchema;

/** One input of a stream join: its schema, the field it is keyed by, and where its event time is read. */
public record JoinInput(BatchSchema schema, int keyField, EventTimeField time) {
}
