package io.riffle.engine;

/** A row-level function for {@link DataStream#map}: one output record per input record. */
@FunctionalInterface
public interface MapFunction {
    /** The output record; the input is a view valid only during the call. */
    Record map(Record in) throws Exception;
}
