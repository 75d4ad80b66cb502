package io.riffle.engine;

/** Receives a {@link FlatMapFunction}'s output records. */
public interface Collector {
    /** Emits one record of the declared output schema. */
    void collect(Record record);

    /** Emits one record given as its field values. */
    void collect(Object... fields);
}
