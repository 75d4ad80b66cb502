package io.riffle.engine;

/** A row-level function for {@link DataStream#flatMap}: any number of output records per input record. */
@FunctionalInterface
public interface FlatMapFunction {
    void flatMap(Record in, Collector out) throws Exception;
}
